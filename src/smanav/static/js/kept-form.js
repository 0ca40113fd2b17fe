// Puts back in the form what a person typed before their session ended (accounts/kept_forms.py). The
// page carries the kept fields as JSON in <script type="application/json" id="kept-form">; this file
// fills the form on the page whose fields have those names, and moves focus to the notice that says so.
(function () {
  "use strict";
  var data = document.getElementById("kept-form");
  if (!data) { return; }
  var fields;
  try { fields = JSON.parse(data.textContent); } catch (error) { return; }
  var seen = {};
  fields.forEach(function (pair) {
    var name = pair[0], value = pair[1];
    var controls = document.querySelectorAll("main form [name=\"" + CSS.escape(name) + "\"]");
    Array.prototype.forEach.call(controls, function (control) {
      var type = (control.type || "").toLowerCase();
      if (type === "hidden" || type === "file" || type === "password" || type === "submit") { return; }
      if (type === "checkbox" || type === "radio") {
        if (!seen[name]) {
          // The kept values say which boxes were ticked: untick the others first.
          if (type === "checkbox") { control.checked = false; }
        }
        if (control.value === value) { control.checked = true; }
      } else if (control.tagName === "SELECT" && control.multiple) {
        Array.prototype.forEach.call(control.options, function (option) {
          if (option.value === value) { option.selected = true; }
        });
      } else {
        control.value = value;
      }
    });
    seen[name] = true;
  });
  var notice = document.getElementById("kept-form-notice");
  if (notice) {
    notice.hidden = false;
    notice.focus();
  }
}());
