/* Ledenportaal: the phone menu button, closing open menus, copying recovery codes.
   Everything works without this file: the menu is then simply shown open. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function closeDetails(except) {
    document.querySelectorAll("details.account-menu[open], details.action-menu[open]")
      .forEach(function (details) {
        if (details !== except) { details.open = false; }
      });
  }

  function setUpMenuButton() {
    var button = document.querySelector(".menu-button");
    if (!button) { return; }
    var header = button.closest(".site-header");
    var account = header.querySelector("details.account-menu");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
      if (account) { account.open = open; }
    });
  }

  function setUpDetails() {
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (details.open && details.matches && details.matches("details.action-menu")) {
        closeDetails(details);
      }
    }, true);
    document.addEventListener("click", function (event) {
      if (event.target.closest(".menu-button")) { return; }
      var inside = event.target.closest("details.account-menu, details.action-menu");
      var phoneMenu = document.querySelector(".site-header.menu-open");
      // A click elsewhere closes an open dropdown; in the open phone menu the account part
      // stays open (it is part of the menu there).
      document.querySelectorAll("details.account-menu[open], details.action-menu[open]")
        .forEach(function (details) {
          if (details !== inside && !(phoneMenu && details.matches(".account-menu"))) {
            details.open = false;
          }
        });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector("details.action-menu[open], details.account-menu[open]");
      if (open && !document.querySelector(".site-header.menu-open")) {
        open.open = false;
        open.querySelector("summary").focus();
      }
    });
  }

  function textOf(source) {
    return source.matches("ol, ul")
      ? Array.prototype.map.call(source.children, function (item) {
        return item.textContent.trim();
      }).join("\n")
      : source.textContent.trim();
  }

  /* Recovery codes: copy them all, or save them as a text file, in one go. */
  function setUpCopyAndDownloadButtons() {
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-from"));
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      if (!source || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(textOf(source)).then(function () {
          if (status) { status.textContent = button.getAttribute("data-copied"); }
        });
      });
    });
    document.querySelectorAll("[data-download-from]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-download-from"));
      if (!source || !window.Blob || !window.URL) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-heading") + "\n" + textOf(source) + "\n";
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([text], {type: "text/plain;charset=utf-8"}));
        link.download = button.getAttribute("data-filename");
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenuButton();
    setUpDetails();
    setUpCopyAndDownloadButtons();
  });
}());
