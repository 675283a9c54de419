app_name = "groups"

urlpatterns: list[object] = []
