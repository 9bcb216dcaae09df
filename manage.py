#!/usr/bin/env python
"""Django's command-line utility for the Bouclier platform."""

from bouclier.manage import main

if __name__ == "__main__":
    main()
