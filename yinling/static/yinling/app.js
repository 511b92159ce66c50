// Yinling front-end glue. Kept in a static file: the Content-Security-Policy forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first invalid field after a failed submit, so keyboard users land on it.
  var invalid = document.querySelector(".is-invalid");
  if (invalid) { invalid.focus(); }
});
