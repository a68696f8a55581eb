"""gan_utils: the helper package of the course "Generative Adversarial Networks from first principles, in JAX".

One module per role: ``data``, ``models``, ``losses``, ``train``, ``checkpoint``, ``metrics``, ``plots``,
``widgets``; ``python -m gan_utils --help`` for the command line. Submodules are imported on use, so
``import gan_utils.losses`` pulls in no plotting.
"""
__version__ = "0.1.0"
