// jixiao print view: the 打印 button (the page itself has no other script).
"use strict";
document.getElementById("print-btn").addEventListener("click", () => window.print());
