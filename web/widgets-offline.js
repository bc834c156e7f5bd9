// Loaded just before require.js and the Jupyter widget manager, on the pages that embed widget state.
(function () {
  "use strict";
  // The folder this file was loaded from: <book>/_static/offline/
  var here = document.currentScript.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");

  // 1. The widget manager derives the URL of its icon fonts from the require.js path of its own module. Left alone,
  //    that path is relative to the page (book/@jupyter-widgets/...), where nothing exists. A global `require`
  //    defined before require.js loads is its configuration: point the module at the vendored copy.
  window.require = { paths: { "@jupyter-widgets/html-manager/dist": here + "html-manager" } };

  // 2. The widget manager typesets widget labels with the MathJax 2 call MathJax.Hub.Queue(["Typeset", hub, el]).
  //    The book loads MathJax 3, which has no Hub, so the call throws. Forward it to MathJax 3 instead.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub || !mathjax.startup) return;
    mathjax.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
            mathjax.startup.promise = mathjax.startup.promise.then(function () {
              return mathjax.typesetPromise([job[2]]);
            });
          }
        });
      },
    };
  });
})();
