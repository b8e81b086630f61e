"use strict";
// Names the admin's own widgets leave out, so a screen reader says what each control is.
{
  // Django's autocomplete pickers (select2) name their box only by the value chosen, and not at all
  // while it is empty: name it after its field's label as well ("Booking: none chosen").
  function nameAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const label = select.id && document.querySelector(`label[for="${select.id}"]`);
      const container = select.nextElementSibling;
      const box = container && container.querySelector(".select2-selection");
      if (!label || !box) return;
      label.id = label.id || `${select.id}-label`;
      const rendered = box.querySelector(".select2-selection__rendered");
      if (rendered) {
        rendered.setAttribute("aria-labelledby", label.id);
        box.setAttribute("aria-labelledby", `${label.id} ${rendered.id}`);
      } else {
        box.setAttribute("aria-labelledby", label.id);
      }
    });
  }

  // A table wider than a phone scrolls sideways in its box; when nothing inside can take the
  // keyboard's focus, the box itself takes it, so it can be scrolled without a mouse.
  const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";
  function reachScrollingTables() {
    document.querySelectorAll(".inline-group").forEach((group) => {
      const reachable = [...group.querySelectorAll(FOCUSABLE)].some((el) => el.getClientRects().length);
      if (reachable) return;
      const heading = group.querySelector("h2[id]");
      if (group.scrollWidth > group.clientWidth) {
        group.tabIndex = 0;
        group.setAttribute("role", "region");
        if (heading) group.setAttribute("aria-labelledby", heading.id);
      } else if (group.hasAttribute("tabindex")) {
        group.removeAttribute("tabindex");
        group.removeAttribute("role");
      }
    });
  }

  function start() {
    nameAutocompletes();
    reachScrollingTables();
    window.addEventListener("resize", reachScrollingTables);
    document.addEventListener("formset:added", () => setTimeout(nameAutocompletes));
  }

  // After Django's own start-up code (select2 is set up in a jQuery ready handler registered first).
  if (window.django && window.django.jQuery) window.django.jQuery(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
