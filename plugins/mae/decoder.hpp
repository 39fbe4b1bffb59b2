// MAE's light decoder (facebookresearch/mae models_mae.py, MaskedAutoencoderViT.__init__ and
// forward_decoder), registered on the module that owns it under models_mae.py's names:
//
//   decoder_embed.{weight,bias}   Linear D -> E
//   mask_token                    (1, 1, E), normal_(std=0.02) as initialize_weights
//   decoder_pos_embed             (1, 1 + L, E), a buffer: fixed 2-D sin-cos (sincos_positions.hpp)
//   decoder_blocks.<i>.*          the ViT's blocks of width E (vit_block.hpp)
//   decoder_norm.{weight,bias}    LayerNorm, eps 1e-6
//   decoder_pred.{weight,bias}    Linear E -> P P C
//
// Every Linear weight (the attention's in_proj and out_proj included, as timm's qkv and
// proj) starts Xavier-uniform with bias 0, as _init_weights.
//
// forward(latent (B, 1 + K, D), mask (B, L) leaving the same K patches of each sample
// visible (flag 0)) -> (B, L, P P C): the latent embedded, a mask token put at every masked
// patch and the visible ones back in their grid places (forward_decoder's concat with
// mask_tokens and gather by ids_restore), the positions added, the blocks, the norm, the
// prediction, the class token removed. latent is the encoder's class token followed by the
// visible patches in grid order. Callers check shapes first. forward() keeps no state.
#pragma once

#include <memory>
#include <vector>

#include "sslflow/module.hpp"
#include "sslflow/nn/layer_norm.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/random.hpp"
#include "vit_block.hpp"

namespace sslflow::mae {

struct DecoderSpec {
  int64_t in_dim;   // D, the encoder's width
  int64_t dim;      // E, a multiple of 4
  int64_t depth;
  int heads;        // dividing E
  double mlp_ratio;
  int64_t rows;     // the patch grid
  int64_t cols;
  int64_t out_dim;  // P P C
};

class Decoder {
 public:
  Decoder(Module& owner, const DecoderSpec& spec, Rng& rng);
  Var forward(const Var& latent, const Tensor& mask) const;

 private:
  std::shared_ptr<nn::Linear> embed_;
  Var mask_token_;
  Var pos_embed_;  // the fixed positions, no gradient
  std::vector<std::shared_ptr<encoders::VitBlock>> blocks_;
  std::shared_ptr<nn::LayerNorm> norm_;
  std::shared_ptr<nn::Linear> pred_;
};

}  // namespace sslflow::mae
