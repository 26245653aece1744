#!/usr/bin/python3
"""Django's command-line utility for the mapvault test OAuth2 provider.

Run it through server.sh (which sets MAPVAULT_OAUTH_DIR and friends); see README.md.
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapvault_oauth.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
