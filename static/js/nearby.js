// "Use my location": asks for the position only when tapped, then submits the coordinates form,
// so the server sorts the sites (the page works the same with typed coordinates and no script).
(function () {
  "use strict";
  var button = document.getElementById("locate");
  var form = document.getElementById("nearby-form");
  var status = document.getElementById("locate-status");
  if (!button || !form || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.finding;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.submit();
      },
      function (error) {
        button.disabled = false;
        status.textContent = error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.unavailable;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
