from django.contrib import admin
from django.urls import include, path

from portal import auth, ops, sso, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", views.home, name="home"),
    path("consent/", views.consent, name="consent"),
    path("accounts/login/", auth.SignInView.as_view(), name="login"),
    path("oidc/authenticate/", sso.SsoStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", sso.SsoCallbackView.as_view(), name="oidc_authentication_callback"),
    # Answered by portal.ops.OpsMiddleware before the other middleware; named here for reverse().
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("classified-access/", views.classified_access, name="classified_access"),
    path("", include("requests_app.urls")),
    path("", include("epics.urls")),
    path("", include("workflow.urls")),
    path("", include("notifications.urls")),
    path("boards/", include("boards.urls")),
    path("", include("insights.urls")),
]
handler500 = "api.errors.server_error"
