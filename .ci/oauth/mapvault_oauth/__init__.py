"""A minimal Django project: django-oauth-toolkit as an OAuth2 / OpenID Connect
provider for mapvault's integration tests, plus the token check nginx asks
before it lets a request through to the protected WMS. See ../README.md."""
