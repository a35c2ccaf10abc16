// feedkb: the theme's search box, answered by Pagefind. Pagefind loads only the index chunks a
// query needs, so a member's browser downloads kilobytes, not the whole site's index.
(function () {
  "use strict";
  var MAX_RESULTS = 20;
  var pagefind = null;

  function siteBase() {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  function load() {
    if (!pagefind) {
      var base = siteBase();
      pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
        return module.options({ baseUrl: base.pathname, excerptLength: 40 }).then(function () {
          return module;
        });
      });
    }
    return pagefind;
  }

  function item(link, title, excerpt) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = link;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var heading = document.createElement("h2");
    heading.textContent = title.replace(/\s*¶$/, ""); // the heading's permalink sign
    var text = document.createElement("p");
    text.innerHTML = excerpt; // Pagefind's excerpt: escaped page text with <mark> around hits
    article.appendChild(heading);
    article.appendChild(text);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  function show(form, query) {
    var meta = form.parentNode.querySelector("[data-feedkb-meta]");
    var list = form.parentNode.querySelector(".md-search-result__list");
    if (!query) {
      meta.textContent = "键入以开始搜索";
      list.innerHTML = "";
      return;
    }
    meta.textContent = "正在搜索…";
    load().then(function (module) {
      return module.debouncedSearch(query, {}, 150);
    }).then(function (search) {
      if (search === null) return null; // a newer query is on its way
      return Promise.all(search.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      if (pages === null || form.querySelector("[data-feedkb-query]").value.trim() !== query) return;
      list.innerHTML = "";
      var count = 0;
      pages.forEach(function (page) {
        var sections = page.sub_results.filter(function (s) { return s.url.indexOf("#item-") > 0; });
        (sections.length ? sections : [page]).forEach(function (s) {
          if (count < MAX_RESULTS) {
            list.appendChild(item(s.url, s.title || page.meta.title, s.excerpt));
            count += 1;
          }
        });
      });
      meta.textContent = count ? count + " 个符合条件的结果" : "没有找到符合条件的结果";
    }).catch(function () {
      meta.textContent = "搜索暂不可用";
    });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-feedkb-query]")) {
      show(input.form, input.value.trim());
    }
  });
  document.addEventListener("reset", function (event) {
    if (event.target.matches && event.target.matches("[data-feedkb-search]")) {
      show(event.target, "");
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-feedkb-search]")) {
      event.preventDefault();
    }
  });
  // The theme opens its search panel from its own code, which this box does without.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-feedkb-query]")) {
      var toggle = document.getElementById("__search");
      if (toggle && !toggle.checked) toggle.checked = true;
    }
  });
  document.addEventListener("keydown", function (event) {
    var toggle = document.getElementById("__search");
    if (event.key === "Escape" && toggle && toggle.checked) {
      toggle.checked = false;
      document.activeElement.blur();
    }
  });
  document.addEventListener("click", function (event) {
    // A result link jumps to an anchor, maybe on this very page: close the panel.
    if (event.target.closest && event.target.closest(".md-search-result__link")) {
      var toggle = document.getElementById("__search");
      if (toggle) toggle.checked = false;
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "__search" && event.target.checked) {
      var input = document.querySelector("[data-feedkb-query]");
      if (input) input.focus();
    }
  });
})();
