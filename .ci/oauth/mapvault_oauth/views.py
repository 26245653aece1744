"""The resource server's token check.

nginx's `auth_request` sends every request for the protected WMS here first,
with the client's Authorization header and two headers of its own:
X-Resource-Metadata (the RFC 9728 metadata URL to advertise) and
X-Required-Scope (space-separated scopes the token must carry).

Answers (RFC 6750 section 3):
  204  token known, not expired, has the scopes; X-Mapvault-Subject names the
       user (or "client:<client_id>" for a client-credentials token)
  401  no Bearer credentials:  WWW-Authenticate: Bearer resource_metadata="..."
  401  unknown/expired token:  WWW-Authenticate: Bearer error="invalid_token", resource_metadata="..."
  403  scope missing:          X-Mapvault-Challenge: Bearer error="insufficient_scope", scope="wms", resource_metadata="..."
nginx copies WWW-Authenticate of a 401 to the client itself; for 403 it only
passes on what auth_request_set picks up, hence the separate header.
"""
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_access_token_model


def _challenge(error=None, scope=None, metadata=None):
    params = []
    if error:
        params.append('error="%s"' % error)
    if scope:
        params.append('scope="%s"' % scope)
    if metadata:
        params.append('resource_metadata="%s"' % metadata)
    return "Bearer " + ", ".join(params) if params else "Bearer"


def _quoted_safe(value):
    # Header values we echo inside quotes: no quotes, backslashes or controls.
    return "".join(c for c in value if c.isprintable() and c not in '"\\')


@csrf_exempt
def validate(request):
    metadata = _quoted_safe(request.headers.get("X-Resource-Metadata", ""))
    scopes = request.headers.get("X-Required-Scope", "wms").split()
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()

    if scheme.lower() != "bearer":
        # No Bearer credentials at all (none, or another scheme): no error code.
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = _challenge(metadata=metadata)
        return response

    access_token = None
    if token and " " not in token:
        access_token = (
            get_access_token_model()
            .objects.select_related("application", "user")
            .filter(token=token)
            .first()
        )
    if (
        access_token is None
        or access_token.is_expired()
        or (access_token.user is not None and not access_token.user.is_active)
    ):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = _challenge(error="invalid_token", metadata=metadata)
        return response

    if not access_token.allow_scopes(scopes):
        response = HttpResponse(status=403)
        response["X-Mapvault-Challenge"] = _challenge(
            error="insufficient_scope", scope=" ".join(scopes), metadata=metadata
        )
        return response

    response = HttpResponse(status=204)
    if access_token.user is not None:
        response["X-Mapvault-Subject"] = access_token.user.get_username()
    elif access_token.application is not None:
        response["X-Mapvault-Subject"] = "client:" + access_token.application.client_id
    return response
