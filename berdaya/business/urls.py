app_name = "business"

urlpatterns: list[object] = []
