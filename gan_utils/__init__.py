"""gan_utils: the helper package of the course "Generative Adversarial Networks from first principles, in JAX".

One job per module:

* ``data``: MNIST (verified, cached, offline) and the toy mixtures; ``models``: the generators and
  discriminators, ``sample``, ``layer_table``; ``losses``: GAN losses from logits;
* ``steps``: the ``GAN`` container and its training step, in named pieces; ``options``: ``StepOptions``, the step's
  options in one record; ``train``: ``fit``, the training loop;
  ``devices``: compiler options, compilation cache, data-parallel shardings; ``config``: ``GANConfig`` and
  ``build_gan``, the one factory; ``checkpoint``: saving, loading, the pretrained weights;
* ``metrics``: MNIST-FID and friends; ``doctor``: the GAN doctor's verdict on a run; ``plots``: figures;
  ``widgets``: notebook controls; ``playground``: the GAN playground; ``clusters``: labels without labels (notebook 09);
  ``rivals``: the VAE and the diffusion model that notebook 10 races against the GAN; ``precomputed``: the committed
  results of long experiments; ``exercises``: the checkers of the notebooks' exercises.

``python -m gan_utils --help`` for the command line. Submodules are imported on use, so
``import gan_utils.losses`` pulls in no plotting. The benchmarks live beside the package, in ``benchmarks/``.
"""
__version__ = "0.1.0"
