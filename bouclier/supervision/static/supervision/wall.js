/* Live wall: reload each camera's latest image every few seconds (the images are already
   masked by the worker; the view was declared and registered before this page was shown). */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var images = document.querySelectorAll("img[data-live]");
  if (!images.length) { return; }
  window.setInterval(function () {
    images.forEach(function (image) {
      var base = image.getAttribute("data-live");
      image.src = base + "?t=" + Date.now();
    });
  }, 5000);
});
