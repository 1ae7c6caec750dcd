#!/usr/bin/env python3
"""The blog post's Django project (mblog), cut down to what its notifications need."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mblog.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
