// "Print / save as PDF": the browser's print dialog, which also saves a PDF. A script
// file rather than an inline handler: the pages' Content-Security-Policy allows no
// inline scripts.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
