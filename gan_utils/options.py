"""The names and defaults of the training step's options, in a module that imports nothing (no JAX): the recipe
(``config``), the losses, the step and the playground all read them here without an import cycle, and the command
line's ``--help`` stays instant.
"""
__all__ = ["PENALTIES"]

# The stabilisers of D (GANConfig.penalty, steps.make_train_step's ``penalty=``, the playground's), each with the
# default of its ``penalty_weight``
PENALTIES = {
    "none": None,   # no penalty, no constraint
    "r1": 10.0,     # gamma of R1 (Mescheder et al. 2018 use 10 for their image GANs; StyleGAN's FFHQ runs too)
    "r2": 10.0,     # gamma of R2, the same as R1's (the same formula, at the fakes)
    "gp": 10.0,     # lambda of WGAN-GP (Gulrajani et al. 2017 use 10 in every experiment)
    "clip": 0.01,   # the clipping bound c of the original WGAN (Arjovsky et al. 2017)
}
