from django.urls import path

from . import team_views, views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.sign_in, name="sign_in"),
    path("login/link/", views.sign_in_link, name="link"),
    path("logout/", views.sign_out, name="sign_out"),
    path("forget-me/", views.ask_to_be_forgotten, name="forget_me"),
    path("galleries/<str:public_id>/", views.gallery, name="gallery"),
    path("galleries/<str:public_id>/tiles/", views.tiles, name="tiles"),
    path("galleries/<str:public_id>/review/", views.review, name="review"),
    path("galleries/<str:public_id>/submit/", views.submit, name="submit"),
    path("galleries/<str:public_id>/extras/", views.pay_extras, name="pay_extras"),
    path("galleries/<str:public_id>/compare/", views.compare, name="compare"),
    path("galleries/<str:public_id>/photos/<str:key>/", views.photo, name="photo"),
    path("galleries/<str:public_id>/photos/<str:key>/similar/", views.similar, name="similar"),
    path("galleries/<str:public_id>/photos/<str:key>/proof.jpg", views.proof_file, name="proof"),
    path("galleries/<str:public_id>/photos/<str:key>/favourite/", views.favourite, name="favourite"),
    path("galleries/<str:public_id>/photos/<str:key>/comment/", views.comment, name="comment"),
    path("galleries/<str:public_id>/photos/<str:key>/download/", views.download_photo, name="download"),
    path("galleries/<str:public_id>/photos/<str:key>/web.jpg", views.web_image, name="web"),
    path("galleries/<str:public_id>/photos/<str:key>/orders/", views.crops_and_retouching, name="orders"),
    path("galleries/<str:public_id>/crops/<int:crop_id>/download/", views.download_crop, name="crop_download"),
    path("galleries/<str:public_id>/zip/", views.request_zip, name="request_zip"),
    path("galleries/<str:public_id>/zip/<str:key>/", views.zip_status, name="zip"),
    path("galleries/<str:public_id>/zip/<str:key>/download/", views.zip_download, name="zip_download"),
    # A team day's coordinator: the day's photos page and its CSV, by the day's own link.
    path("team/day/<str:token>/photos/", team_views.team_photos, name="team_photos"),
    path("team/day/<str:token>/photos/summary.csv", team_views.team_summary, name="team_summary"),
]
