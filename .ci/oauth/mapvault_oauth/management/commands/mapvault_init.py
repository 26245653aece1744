"""manage.py mapvault_init: prepare a fresh provider (server.sh up runs it).

Migrates the SQLite database, creates the test user and the two clients, and
writes the static metadata documents nginx serves. Credentials come from the
environment only, never from the command line:

  OAUTH_USER (analyst), OAUTH_PASSWORD (s3cret-oauth), OAUTH_CLIENT_SECRET (s3cret-client),
  MAPVAULT_OAUTH_URL (nginx base URL), MAPVAULT_OAUTH_ISSUER (issuer URL).
"""
import json
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory
from oauth2_provider.models import get_application_model
from oauth2_provider.views import ConnectDiscoveryInfoView

PUBLIC_CLIENT_ID = "mapvault"
PUBLIC_REDIRECT_URI = "http://127.0.0.1/callback"  # any port matches (RFC 8252 section 7.3)
SCRIPT_CLIENT_ID = "mapvault-script"
RESOURCE_PATH = "/oauth/wms"


def _env(name, default=None):
    value = os.environ.get(name, default)
    if not value:
        raise CommandError("%s must be set and non-empty" % name)
    return value


def _write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


class Command(BaseCommand):
    help = "Migrate, create the test user and clients, write the metadata documents."

    def handle(self, *args, **options):
        user = _env("OAUTH_USER", "analyst")
        password = _env("OAUTH_PASSWORD", "s3cret-oauth")
        secret = _env("OAUTH_CLIENT_SECRET", "s3cret-client")
        base = _env("MAPVAULT_OAUTH_URL").rstrip("/")
        issuer = _env("MAPVAULT_OAUTH_ISSUER").rstrip("/")

        call_command("migrate", interactive=False, verbosity=0)

        User = get_user_model()
        account, _ = User.objects.get_or_create(username=user)
        account.set_password(password)
        account.is_active = True
        account.save()

        Application = get_application_model()
        Application.objects.update_or_create(
            client_id=PUBLIC_CLIENT_ID,
            defaults=dict(
                name="mapvault desktop and CLI (public, loopback redirect)",
                client_type=Application.CLIENT_PUBLIC,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=PUBLIC_REDIRECT_URI,
                skip_authorization=True,
                algorithm=Application.RS256_ALGORITHM,
            ),
        )
        Application.objects.update_or_create(
            client_id=SCRIPT_CLIENT_ID,
            defaults=dict(
                name="mapvault scripts (confidential, client credentials)",
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                client_secret=secret,
                redirect_uris="",
                skip_authorization=True,
                algorithm=Application.NO_ALGORITHM,
            ),
        )

        www = os.path.join(str(settings.RUN_DIR), "www")
        os.makedirs(www, exist_ok=True)

        # RFC 8414 metadata: the toolkit's OIDC discovery document (asked of the
        # view itself, so the values are exactly what it serves) plus what OAuth
        # clients look for and the toolkit leaves out.
        request = RequestFactory().get("/o/.well-known/openid-configuration/", HTTP_HOST="127.0.0.1")
        discovery = json.loads(ConnectDiscoveryInfoView.as_view()(request).content)
        if discovery.get("issuer") != issuer:
            raise CommandError("discovery issuer %r != %r" % (discovery.get("issuer"), issuer))
        metadata = dict(discovery)
        metadata.update(
            {
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
                "scopes_supported": sorted(settings.OAUTH2_PROVIDER["SCOPES"]),
                "response_modes_supported": ["query"],
                "revocation_endpoint": issuer + "/revoke_token/",
                "introspection_endpoint": issuer + "/introspect/",
            }
        )
        _write_json(os.path.join(www, "oauth-authorization-server.json"), metadata)

        # RFC 9728 protected resource metadata for the WMS behind nginx.
        _write_json(
            os.path.join(www, "oauth-protected-resource.json"),
            {
                "resource": base + RESOURCE_PATH,
                "authorization_servers": [issuer],
                "scopes_supported": ["openid", "wms"],
                "bearer_methods_supported": ["header"],
            },
        )
