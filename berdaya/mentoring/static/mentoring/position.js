// Fill the visit form's optional GPS fields from the phone, when it allows it and they are still empty.
document.addEventListener("DOMContentLoaded", () => {
  const lat = document.querySelector("[data-position=latitude]");
  const lon = document.querySelector("[data-position=longitude]");
  if (!lat || !lon || lat.value || lon.value || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(
    (position) => {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
    },
    () => {},
    { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 },
  );
});
