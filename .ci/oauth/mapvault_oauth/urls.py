"""URLs: the provider under /o/ (the only prefix nginx forwards), the login page,
and the token check nginx's auth_request asks (not reachable through nginx)."""
from django.contrib.auth.views import LoginView
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls

from . import views

# The toolkit's endpoints and its OIDC endpoints, without the application and
# token management pages (nobody needs them here).
provider = (oauth2_urls.base_urlpatterns + oauth2_urls.oidc_urlpatterns, "oauth2_provider")

urlpatterns = [
    path("o/login/", LoginView.as_view(template_name="mapvault_oauth/login.html"), name="login"),
    path("o/", include(provider)),
    path("rs/validate", views.validate, name="rs-validate"),
]
