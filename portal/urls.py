from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", views.home, name="home"),
    path("consent/", views.consent, name="consent"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("classified-access/", views.classified_access, name="classified_access"),
    path("", include("requests_app.urls")),
    path("", include("epics.urls")),
    path("", include("workflow.urls")),
]
