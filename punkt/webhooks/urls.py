from django.urls import path

from punkt.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="subscription_list"),
    path("new/", views.subscription_new, name="subscription_new"),
    path("<int:subscription_id>/", views.subscription_detail, name="subscription_detail"),
    path("<int:subscription_id>/edit/", views.subscription_edit, name="subscription_edit"),
    path("<int:subscription_id>/rotate/", views.subscription_rotate,
         name="subscription_rotate"),
    path("<int:subscription_id>/test/", views.subscription_test, name="subscription_test"),
    path("deliveries/<int:delivery_id>/again/", views.delivery_again, name="delivery_again"),
]
