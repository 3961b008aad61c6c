"""Writes the transformer-scale benchmark checkpoints, random weights with the real names, layouts
and dtypes (reading and graph cost depend on shapes, not values; the seed is fixed):

  gpt2_small/    Hugging Face GPT-2 small (124M parameters): pytorch_model.bin as
                 GPT2LMHeadModel.save_pretrained writes it (Conv1D weights [in, out], lm_head tied to
                 wte), float32, with its config.json
  llama_1b/      a 1.1B-parameter Llama (TinyLlama's shapes: d 2048, 22 layers, 32 heads, 4 key/value
                 heads, SwiGLU 5632, vocabulary 32000) as bfloat16 safetensors in 3 shards with
                 model.safetensors.index.json and config.json, as save_pretrained writes it

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/make_scale.py [--out bench/checkpoints] [--only gpt2_small,llama_1b]

Files already present are kept.
"""
import argparse
import json
import os
import struct

import torch

GPT2 = dict(n_embd=768, n_layer=12, n_head=12, vocab_size=50257, n_positions=1024)
LLAMA = dict(hidden_size=2048, num_hidden_layers=22, num_attention_heads=32, num_key_value_heads=4, intermediate_size=5632, vocab_size=32000)


def gpt2(out):
    d, L, V, P = GPT2['n_embd'], GPT2['n_layer'], GPT2['vocab_size'], GPT2['n_positions']
    g = torch.Generator().manual_seed(0)
    r = lambda *s: torch.randn(*s, generator=g) * 0.02
    ln = lambda: (1 + 0.1 * torch.randn(d, generator=g), 0.02 * torch.randn(d, generator=g))
    sd = {'transformer.wte.weight': r(V, d), 'transformer.wpe.weight': r(P, d)}
    for i in range(L):
        b = f'transformer.h.{i}'
        sd[f'{b}.ln_1.weight'], sd[f'{b}.ln_1.bias'] = ln()
        sd[f'{b}.attn.c_attn.weight'], sd[f'{b}.attn.c_attn.bias'] = r(d, 3 * d), r(3 * d)
        sd[f'{b}.attn.c_proj.weight'], sd[f'{b}.attn.c_proj.bias'] = r(d, d), r(d)
        sd[f'{b}.ln_2.weight'], sd[f'{b}.ln_2.bias'] = ln()
        sd[f'{b}.mlp.c_fc.weight'], sd[f'{b}.mlp.c_fc.bias'] = r(d, 4 * d), r(4 * d)
        sd[f'{b}.mlp.c_proj.weight'], sd[f'{b}.mlp.c_proj.bias'] = r(4 * d, d), r(d)
    sd['transformer.ln_f.weight'], sd['transformer.ln_f.bias'] = ln()
    sd['lm_head.weight'] = sd['transformer.wte.weight']  # tied: one storage, as save_pretrained writes it
    os.makedirs(out, exist_ok=True)
    torch.save(sd, os.path.join(out, 'pytorch_model.bin.tmp'))
    os.replace(os.path.join(out, 'pytorch_model.bin.tmp'), os.path.join(out, 'pytorch_model.bin'))
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump({'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'layer_norm_epsilon': 1e-5, **GPT2}, f, indent=1)


def write_safetensors(path, tensors):
    header, off = {}, 0
    for name, t in tensors:
        n = t.numel() * 2
        header[name] = {'dtype': 'BF16', 'shape': list(t.shape), 'data_offsets': [off, off + n]}
        off += n
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for _, t in tensors:
            f.write(t.contiguous().view(torch.int16).numpy().tobytes())
    os.replace(path + '.tmp', path)
    return off


def llama(out):
    c = LLAMA
    d, L, ff, V = c['hidden_size'], c['num_hidden_layers'], c['intermediate_size'], c['vocab_size']
    dh = d // c['num_attention_heads']
    kv = c['num_key_value_heads'] * dh
    g = torch.Generator().manual_seed(1)
    r = lambda *s: (torch.randn(*s, generator=g) * 0.02).to(torch.bfloat16)
    norm = lambda: (1 + 0.1 * torch.randn(d, generator=g)).to(torch.bfloat16)

    def layer(i):
        b = f'model.layers.{i}'
        return [(f'{b}.input_layernorm.weight', norm()), (f'{b}.self_attn.q_proj.weight', r(d, d)), (f'{b}.self_attn.k_proj.weight', r(kv, d)),
                (f'{b}.self_attn.v_proj.weight', r(kv, d)), (f'{b}.self_attn.o_proj.weight', r(d, d)), (f'{b}.post_attention_layernorm.weight', norm()),
                (f'{b}.mlp.gate_proj.weight', r(ff, d)), (f'{b}.mlp.up_proj.weight', r(ff, d)), (f'{b}.mlp.down_proj.weight', r(d, ff))]

    os.makedirs(out, exist_ok=True)
    shards = [[('model.embed_tokens.weight', None)] + [(i, None) for i in range(0, 7)], [(i, None) for i in range(7, 15)], [(i, None) for i in range(15, L)] + [('model.norm.weight', None), ('lm_head.weight', None)]]
    weight_map, total = {}, 0
    for k, items in enumerate(shards):
        name = f'model-{k + 1:05d}-of-{len(shards):05d}.safetensors'
        tensors = []
        for key, _ in items:
            if key == 'model.embed_tokens.weight' or key == 'lm_head.weight':
                tensors.append((key, r(V, d)))
            elif key == 'model.norm.weight':
                tensors.append((key, norm()))
            else:
                tensors.extend(layer(key))
        total += write_safetensors(os.path.join(out, name), tensors)
        weight_map.update({t: name for t, _ in tensors})
        del tensors
    with open(os.path.join(out, 'model.safetensors.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=1)
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump({'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'rms_norm_eps': 1e-5, 'torch_dtype': 'bfloat16', **c}, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), 'checkpoints'))
    ap.add_argument('--only', default='gpt2_small,llama_1b')
    args = ap.parse_args()
    torch.set_num_threads(1)
    for name, make, marker in [('gpt2_small', gpt2, 'pytorch_model.bin'), ('llama_1b', llama, 'model.safetensors.index.json')]:
        if name not in args.only.split(','):
            continue
        out = os.path.join(args.out, name)
        if os.path.exists(os.path.join(out, marker)):
            print(f'{out}: kept')
            continue
        make(out)
        size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
        print(f'{out}: written ({size / 1e6:.0f} MB)')


if __name__ == '__main__':
    main()
