"""``python -m servesell.cli``: the same as the ``servesell`` script."""

from servesell.cli import main

main()
