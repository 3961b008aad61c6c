/**
 * What weights do not show: attention heads, key/value heads, norm epsilon, the model type and
 * whether norms come first. From the checkpoint (nanoGPT's `model_args`) or a Hugging Face
 * `config.json` in the checkpoint's folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Checkpoint } from '../../checkpoint';

export interface ModelHints {
  heads?: number;
  kvHeads?: number;
  eps?: number;
  modelType?: string;
  architectures?: string[];
  normFirst?: boolean;
  /** True when a config.json was read (the wiring then counts as 'config'). */
  fromConfigFile: boolean;
}

const CONFIG_MAX_BYTES = 1 << 20;

function readConfigJson(file: string): Record<string, unknown> | undefined {
  try {
    // A checkpoint folder (sharded weights with their index) holds its config.json itself.
    const f = path.join(fs.statSync(file).isDirectory() ? file : path.dirname(file), 'config.json');
    const st = fs.statSync(f);
    if (!st.isFile() || st.size > CONFIG_MAX_BYTES) return undefined;
    const v = JSON.parse(fs.readFileSync(f, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

export function modelHints(ckpt: Checkpoint): ModelHints {
  const file = readConfigJson(ckpt.file);
  const cfg: Record<string, unknown> = { ...(ckpt.modelConfig ?? {}), ...(file ?? {}) };
  const heads = num(cfg.num_attention_heads) ?? num(cfg.n_head) ?? num(cfg.num_heads) ?? num(cfg.nhead);
  return {
    heads,
    kvHeads: num(cfg.num_key_value_heads) ?? num(cfg.n_kv_heads) ?? num(cfg.num_kv_heads),
    eps: num(cfg.layer_norm_eps) ?? num(cfg.rms_norm_eps) ?? num(cfg.layer_norm_epsilon) ?? num(cfg.norm_eps),
    modelType: typeof cfg.model_type === 'string' ? cfg.model_type : undefined,
    architectures: Array.isArray(cfg.architectures) ? cfg.architectures.filter((a): a is string => typeof a === 'string') : undefined,
    normFirst: typeof cfg.norm_first === 'boolean' ? cfg.norm_first : undefined,
    fromConfigFile: file !== undefined && heads !== undefined,
  };
}
