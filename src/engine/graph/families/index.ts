/**
 * Recognisers of naming families: each looks at the tensor names and shapes (and the model's
 * hints: a config.json beside the weights, nanoGPT's model_args) and either builds the op list
 * or declines. One whose names matched but whose shapes do not fit stops with the reason, which
 * the fallback reports.
 */
import type { Checkpoint } from '../../checkpoint';
import { ArchitectureError } from '../../errors';
import type { NetOp } from '../netspec';
import { bertLike, torchTransformer, torchvisionVit } from './encoders';
import { convnext, mbconv, regnet, shufflenet } from './block-nets';
import { densenet, googlenet, inception3, squeezenet } from './concat-nets';
import { modelHints, type ModelHints } from './hints';
import { Net, Params } from './kit';
import { gpt2, llama } from './language';
import { recurrent, swin } from './swin-recurrent';

export interface FamilyWiring {
  ops: NetOp[];
  warnings: string[];
  wiring: 'names' | 'config';
}

type Recogniser = (net: Net, hints: ModelHints) => boolean;

/** Most specific names first: a transformer's MLP would also pass for a chain of dense layers. */
export const RECOGNISERS: [string, Recogniser][] = [
  ['GPT-2 / nanoGPT', gpt2],
  ['Llama / Mistral', llama],
  ['BERT / RoBERTa / ViT (Hugging Face)', bertLike],
  ['ViT (torchvision)', torchvisionVit],
  ['Swin (torchvision)', swin],
  ['torch.nn.Transformer', torchTransformer],
  ['DenseNet', densenet],
  ['GoogLeNet', googlenet],
  ['Inception v3', inception3],
  ['SqueezeNet', squeezenet],
  ['ShuffleNetV2', shufflenet],
  ['RegNet', regnet],
  ['ConvNeXt', convnext],
  ['EfficientNet / MobileNetV3', mbconv],
  ['LSTM / GRU / RNN', recurrent],
];

export function recogniseFamily(ckpt: Checkpoint): FamilyWiring | { failed: string } | undefined {
  const hints = modelHints(ckpt);
  const tensors = ckpt.tensors.filter((t) => !/(^|\.)(attn\.bias|attn\.masked_bias|relative_position_index|position_ids|rotary_emb\.inv_freq|num_batches_tracked)$/.test(t.name));
  for (const [family, rec] of RECOGNISERS) {
    const net = new Net(new Params(tensors, ckpt.file, ckpt.batchNormEpsilon));
    try {
      if (!rec(net, hints)) continue;
    } catch (e) {
      if (e instanceof ArchitectureError) return { failed: `named like ${family}, but ${e.problem}` };
      throw e;
    }
    return { ops: net.ops, warnings: [`wiring: recognised as ${family} from its tensor names`, ...net.warnings], wiring: hints.fromConfigFile ? 'config' : 'names' };
  }
  return undefined;
}
