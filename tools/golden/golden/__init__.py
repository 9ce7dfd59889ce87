"""The PyTorch fixture generators, one module per family of ops; `GENERATORS` lists every op file in output order.

Each generator takes the op file's seed (torch's RNG is already seeded with it) and returns an `OpFile`.
"""

from . import activation, conv, dense, loss, pool, reduce, shape, toolkit_norm, upsampling
from . import toolkit_activation, unfold

GENERATORS = [
    ("conv2d", conv.gen_conv2d),
    ("conv1d", conv.gen_conv1d),
    ("maxPool2d", pool.gen_maxpool2d),
    ("avgPool2d", pool.gen_avgpool2d),
    ("adaptiveAvgPool2d", lambda s: pool.gen_adaptive("adaptiveAvgPool2d")),
    ("adaptiveMaxPool2d", lambda s: pool.gen_adaptive("adaptiveMaxPool2d")),
    ("batchNorm2d", dense.gen_batchnorm2d),
    ("linear", dense.gen_linear),
    ("relu", lambda s: activation.gen_activation("relu")),
    ("sigmoid", lambda s: activation.gen_activation("sigmoid")),
    ("tanh", lambda s: activation.gen_activation("tanh")),
    ("gelu", lambda s: activation.gen_activation("gelu")),
    ("leakyRelu", activation.gen_leakyrelu),
    ("elu", activation.gen_elu),
    ("softmax", lambda s: activation.gen_softmax("softmax")),
    ("logSoftmax", lambda s: activation.gen_softmax("logSoftmax")),
    ("crossEntropy", loss.gen_crossentropy),
    ("pad", shape.gen_pad),
    ("convTranspose2d", upsampling.gen_conv_transpose2d),
    ("convTranspose1d", upsampling.gen_conv_transpose1d),
    ("interpolate", upsampling.gen_interpolate),
    # extension ops (not in the format's table)
    ("maxPool1d", pool.gen_maxpool1d),
    ("avgPool1d", pool.gen_avgpool1d),
    ("mseLoss", loss.gen_mseloss),
    ("nllLoss", loss.gen_nllloss),
    ("matmul", dense.gen_matmul),
    ("erf", activation.gen_erf),
    ("sum", lambda s: reduce.gen_reduce("sum")),
    ("mean", lambda s: reduce.gen_reduce("mean")),
    ("amax", lambda s: reduce.gen_reduce("amax")),
    ("amin", lambda s: reduce.gen_reduce("amin")),
    ("argmax", lambda s: reduce.gen_arg_reduce("argmax")),
    ("argmin", lambda s: reduce.gen_arg_reduce("argmin")),
    ("cast", shape.gen_cast),
    ("slice", shape.gen_slice),
    ("concat", shape.gen_concat),
    ("permute", shape.gen_permute),
    ("transpose", shape.gen_transpose),
    # issue 13: normalisation and rearrangement (toolkit_norm.py)
    ("groupNorm", toolkit_norm.gen_groupnorm),
    ("layerNorm", toolkit_norm.gen_layernorm),
    ("instanceNorm", toolkit_norm.gen_instancenorm),
    ("pixelShuffle", toolkit_norm.gen_pixelshuffle),
    ("pixelUnshuffle", toolkit_norm.gen_pixelunshuffle),
    ("channelShuffle", toolkit_norm.gen_channelshuffle),
    # issue 13: activations of mobile CNNs, unfold / fold
    ("relu6", lambda s: toolkit_activation.gen_plain("relu6")),
    ("hardtanh", toolkit_activation.gen_hardtanh),
    ("hardswish", lambda s: toolkit_activation.gen_plain("hardswish")),
    ("hardsigmoid", lambda s: toolkit_activation.gen_plain("hardsigmoid")),
    ("silu", lambda s: toolkit_activation.gen_plain("silu")),
    ("mish", lambda s: toolkit_activation.gen_plain("mish")),
    ("softplus", toolkit_activation.gen_softplus),
    ("prelu", toolkit_activation.gen_prelu),
    ("unfold", unfold.gen_unfold),
    ("fold", unfold.gen_fold),
]

self_check = conv.self_check
