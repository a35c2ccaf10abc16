// feedkb: the theme's search box, answered by Pagefind. Pagefind loads only the index chunks a
// query needs, so a member's browser downloads kilobytes, not the whole site's index.
//
// Pagefind indexes archive pages, each item's words as tokens (search_records.py); beside its
// files, pagefind/feedkb/ tells where each item lies among its page's words, its filter values
// and what its result shows (search_index.py). A query is cut into phrases and pieces
// (Chinese: at most SPAN characters each), Pagefind is asked for each piece, and the word
// positions it returns become items: an item is a result when it holds every phrase, its
// pieces one after another. Ranking (BM25 per item, title and companies weighted), filters,
// their counts and the newest-first order are worked out here, per item.
(function () {
  "use strict";
  var PAGE_SIZE = 20;
  var SPAN = 2; // search_records.SPAN
  var INDEX_LANGUAGE = "und"; // search_index.LANGUAGE
  var WEIGHT = 6; // a word of the title or the companies counts as this many of the text
  var K1 = 1.2; // BM25: how fast more hits of a word stop adding
  var B = 0.75; // BM25: how much a long item's hits are discounted
  // Value badges: the labels of feedkb.values.VALUE_LABELS, in their order, and their colours.
  var VALUES = [
    ["资讯价值", "news"],
    ["智库价值", "think-tank"],
    ["获客价值", "lead"],
    ["FA价值", "deal"],
    ["资源价值", "resource"],
  ];
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}";
  var CJK_RUN = new RegExp("[" + CJK + "]+", "gu");
  var IS_CJK = new RegExp("[" + CJK + "]", "u");
  var WORD_CHAR = /[\p{L}\p{N}]/u;
  var TAKEAWAY_LABEL = "AI 解读"; // feedkb.digest.TAKEAWAY_LABEL
  var TAKEAWAY_NOTICE = "由 AI 根据原文自动生成，未经编辑核实"; // render.TAKEAWAY_NOTICE
  var SNIPPET = 90; // characters of an item's text shown
  var LEAD = 16; // characters of context before the first hit
  var engine = null; // Promise of {pagefind, entry, pages, length, average}
  var filterData = null; // Promise of the filters' values per item, once the row opened
  var buckets = {};
  var current = null; // the results on screen: {order, shown, terms}
  var sequence = 0;

  function siteBase() {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  function bundle(path) {
    return new URL("pagefind/" + path, siteBase()).href;
  }

  function getJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    });
  }

  function startPagefind() {
    var base = siteBase();
    return import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
      module.options({ baseUrl: base.pathname });
      // Pagefind takes the page's language when it starts, and cuts a Chinese query into
      // words: the index is not in words (search_records.py), so it starts in the index's
      // language and takes each piece as this script cuts it. (Were this ever to stop
      // working, the browser's words still match, less exactly.)
      var root = document.documentElement;
      var lang = root.getAttribute("lang");
      root.setAttribute("lang", INDEX_LANGUAGE);
      try {
        module.init();
      } finally {
        if (lang === null) root.removeAttribute("lang");
        else root.setAttribute("lang", lang);
      }
      return module;
    });
  }

  function load() {
    if (!engine) {
      var entry = getJson(bundle("feedkb/entry.json?ts=" + Date.now()));
      engine = Promise.all([startPagefind(), entry])
        .then(function (both) {
          var build = both[1].build;
          return getJson(bundle("feedkb/" + build + "/pages.json")).then(function (layout) {
            return prepare(both[0], both[1], layout);
          });
        })
        .catch(function (error) {
          engine = null;
          throw error;
        });
    }
    return engine;
  }

  // Per indexed page: its items, where each starts and ends, where its weighted start ends.
  function prepare(pagefind, entry, layout) {
    var length = new Float64Array(entry.items);
    var pages = {};
    var total = 0;
    Object.keys(layout.pages).forEach(function (hash) {
      var page = layout.pages[hash];
      var items = [];
      page[0].forEach(function (run) {
        for (var i = 0; i < run[1]; i += 1) items.push(run[0] + i);
      });
      var starts = [];
      var at = page[1];
      page[2].forEach(function (words, k) {
        starts.push(at);
        length[items[k]] = words;
        total += words;
        at += words;
      });
      pages[hash] = { items: items, starts: starts, lengths: page[2], weighted: page[3] };
    });
    return {
      pagefind: pagefind,
      entry: entry,
      pages: pages,
      length: length,
      average: entry.items ? total / entry.items : 1,
    };
  }

  function loadFilters(found) {
    if (!filterData) {
      filterData = getJson(bundle("feedkb/" + found.entry.build + "/filters.json")).catch(
        function (error) {
          filterData = null;
          throw error;
        }
      );
    }
    return filterData;
  }

  function shown(found, n) {
    var size = found.entry.bucket;
    var k = Math.floor(n / size);
    if (!buckets[k]) {
      buckets[k] = getJson(bundle("feedkb/" + found.entry.build + "/b" + k + ".json")).catch(
        function (error) {
          delete buckets[k];
          throw error;
        }
      );
    }
    return buckets[k].then(function (items) {
      return items[n - k * size];
    });
  }

  // --- the query ------------------------------------------------------------------------

  // What the user typed, as phrases: each Chinese run, or other word, is one; a run longer
  // than SPAN characters is cut into pieces of at most SPAN (none of one character), each at
  // its offset in the run. [{text, pieces: [{piece, offset}, ...]}, ...]
  function phrases(query) {
    var found = [];
    function word(text) {
      found.push({ text: text, pieces: [{ piece: text, offset: 0 }] });
    }
    query.split(/\s+/).forEach(function (typed) {
      var at = 0;
      typed.replace(CJK_RUN, function (run, offset) {
        if (offset > at) word(typed.slice(at, offset));
        var chars = Array.from(run);
        var n = chars.length;
        var parts = Math.ceil(n / SPAN);
        var size = Math.ceil(n / parts);
        var group = [];
        for (var i = 0; i < n; i += size) {
          var from = Math.max(0, Math.min(i, n - 2)); // a last piece of one overlaps by one
          group.push({ piece: chars.slice(from, from + size).join(""), offset: from });
        }
        found.push({ text: run, pieces: group });
        at = offset + run.length;
        return run;
      });
      if (at < typed.length) word(typed.slice(at));
    });
    var seen = {};
    return found.filter(function (phrase) {
      var key = phrase.text.toLowerCase();
      if (!WORD_CHAR.test(phrase.text) || seen[key]) return false;
      seen[key] = true;
      return true;
    });
  }

  // Where one piece stands, item by item: Pagefind gives the word positions of its matches on
  // each page; a position falls in one item. Map of item -> positions on its page.
  function holding(found, piece) {
    return found.pagefind.search(piece).then(function (search) {
      var at = new Map();
      search.results.forEach(function (result) {
        var page = found.pages[result.id];
        if (!page) return;
        (result.words || []).forEach(function (position) {
          var lo = 0;
          var hi = page.starts.length - 1;
          if (hi < 0 || position < page.starts[0]) return;
          while (lo < hi) {
            var mid = (lo + hi + 1) >> 1;
            if (page.starts[mid] <= position) lo = mid;
            else hi = mid - 1;
          }
          if (position - page.starts[lo] >= page.lengths[lo]) return;
          var n = page.items[lo];
          if (!at.has(n)) at.set(n, { page: page, k: lo, positions: [] });
          at.get(n).positions.push(position);
        });
      });
      return at;
    });
  }

  // How much an item holds a phrase: each place its pieces stand one after the other (a
  // Chinese character is one word to Pagefind), the title's and companies' counting WEIGHT.
  function phraseFrequency(group, places) {
    var first = places[0];
    var sets = places.map(function (p) { return new Set(p.positions); });
    var tf = 0;
    first.positions.forEach(function (position) {
      for (var j = 1; j < group.length; j += 1) {
        if (!sets[j].has(position + group[j].offset - group[0].offset)) return;
      }
      var offset = position - first.page.starts[first.k];
      tf += offset < first.page.weighted[first.k] ? WEIGHT : 1;
    });
    return tf;
  }

  // Items holding every phrase, with their BM25 scores (a phrase being one term).
  function matches(found, phrases) {
    var groups = phrases.map(function (phrase) { return phrase.pieces; });
    var pieces = {};
    groups.forEach(function (group) {
      group.forEach(function (p) {
        if (!pieces[p.piece]) pieces[p.piece] = holding(found, p.piece);
      });
    });
    var names = Object.keys(pieces);
    return Promise.all(names.map(function (name) { return pieces[name]; })).then(function (maps) {
      var where = {};
      names.forEach(function (name, i) { where[name] = maps[i]; });
      var frequencies = groups.map(function (group) {
        var tf = new Map();
        where[group[0].piece].forEach(function (place, n) {
          var places = group.map(function (p) { return where[p.piece].get(n); });
          if (places.some(function (p) { return !p; })) return;
          var f = phraseFrequency(group, places);
          if (f) tf.set(n, f);
        });
        return tf;
      });
      var total = found.entry.items;
      var idf = frequencies.map(function (tf) {
        return Math.log(1 + (total - tf.size + 0.5) / (tf.size + 0.5));
      });
      var smallest = frequencies.reduce(function (a, b) {
        return a.size <= b.size ? a : b;
      });
      var scores = new Map();
      smallest.forEach(function (_, n) {
        var score = 0;
        for (var i = 0; i < frequencies.length; i += 1) {
          var tf = frequencies[i].get(n);
          if (!tf) return;
          var norm = K1 * (1 - B + (B * found.length[n]) / found.average);
          score += (idf[i] * (tf * (K1 + 1))) / (tf + norm);
        }
        scores.set(n, score);
      });
      return scores;
    });
  }

  // The words to mark in a snippet: as typed (Pre-A) and as searched; no single Latin letter.
  function marked(typed, terms) {
    return typed.split(/\s+/).concat(terms).filter(function (t) {
      return IS_CJK.test(t) || t.length > 1;
    });
  }

  // --- the snippet ----------------------------------------------------------------------

  function isWordChar(c) {
    return c !== undefined && WORD_CHAR.test(c) && !IS_CJK.test(c);
  }

  // Where a snippet may start: anywhere in Chinese, never inside a Latin word or after a
  // hyphen joining two (Pre-A), nor on a space or a punctuation mark.
  function boundary(chars, i) {
    if (i <= 0 || i >= chars.length) return true;
    var before = chars[i - 1];
    var here = chars[i];
    if (!WORD_CHAR.test(here)) return false;
    if (isWordChar(before) && isWordChar(here)) return false;
    if (/\p{Pd}/u.test(before) && isWordChar(chars[i - 2])) return false;
    return true;
  }

  function hits(text, terms) {
    var lower = text.toLowerCase();
    var found = [];
    terms.forEach(function (term) {
      var t = term.toLowerCase();
      for (var at = lower.indexOf(t); at >= 0 && t; at = lower.indexOf(t, at + t.length)) {
        found.push([at, at + t.length]);
      }
    });
    return found.sort(function (a, b) {
      return a[0] - b[0] || b[1] - a[1];
    });
  }

  // The stretch of an item's text around its first hit, starting at a boundary, with the
  // query's words marked: DOM nodes, the text never parsed as HTML.
  function snippet(text, terms) {
    var p = element("p", "fk-hit-text");
    var units = Array.from(text || ""); // code points: no character cut in half
    if (!units.length) return p;
    var offsets = [0];
    units.forEach(function (u, i) {
      offsets.push(offsets[i] + u.length);
    });
    function index(offset) {
      var i = 0;
      while (offsets[i] < offset) i += 1;
      return i;
    }
    var found = hits(text, terms).map(function (h) {
      return [index(h[0]), index(h[1])];
    });
    var first = found.length ? found[0][0] : 0;
    var start = 0;
    if (found.length && found[0][1] > SNIPPET - LEAD) {
      start = Math.max(0, first - LEAD);
      for (var p2 = first - 1; p2 > start; p2 -= 1) {
        if (/\p{P}/u.test(units[p2])) { // begin with the hit's clause when it is near
          start = p2 + 1;
          break;
        }
      }
      var back = start;
      while (back > 0 && !boundary(units, back) && start - back < LEAD) back -= 1;
      if (boundary(units, back)) start = back;
      else while (start < first && !boundary(units, start)) start += 1;
    }
    while (start < first && /\s/u.test(units[start])) start += 1;
    var end = Math.min(units.length, start + SNIPPET);
    while (end < units.length && end - start < SNIPPET + 16 && isWordChar(units[end]) &&
           isWordChar(units[end - 1])) end += 1;
    while (end > start + 1 && end < units.length && /\s/u.test(units[end - 1])) end -= 1;
    if (start > 0) p.appendChild(document.createTextNode("…"));
    var at = start;
    found.forEach(function (h) {
      var from = Math.max(h[0], at);
      var to = Math.min(h[1], end);
      if (to <= from) return;
      if (from > at) p.appendChild(document.createTextNode(units.slice(at, from).join("")));
      p.appendChild(element("mark", "", units.slice(from, to).join("")));
      at = to;
    });
    if (at < end) p.appendChild(document.createTextNode(units.slice(at, end).join("")));
    if (end < units.length) p.appendChild(document.createTextNode("…"));
    return p;
  }

  // --- a result -------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The AI assist's sentence, labelled as the machine's as on the item's card.
  function takeaway(sentence) {
    var p = element("p", "fk-takeaway");
    var label = element("span", "fk-takeaway__label", TAKEAWAY_LABEL);
    label.title = TAKEAWAY_NOTICE;
    p.appendChild(label);
    p.appendChild(document.createTextNode(sentence));
    return p;
  }

  function result(item, terms) {
    var li = element("li", "md-search-result__item fk-hit");
    var a = element("a", "md-search-result__link");
    a.href = new URL(item.u, siteBase()).href;
    var article = element("article", "md-search-result__article md-typeset");
    article.appendChild(element("h2", "fk-hit-title", item.t));
    if (item.k) article.appendChild(takeaway(item.k));
    var meta = element("p", "fk-hit-meta");
    if (item.d) {
      var time = element("time", "fk-hit-date", item.d);
      time.dateTime = item.d;
      meta.appendChild(time);
    }
    var filters = item.f || {};
    (filters.source || []).forEach(function (source) {
      meta.appendChild(element("span", "fk-hit-source", source));
    });
    var values = filters.value || [];
    VALUES.forEach(function (pair) {
      if (values.indexOf(pair[0]) >= 0) {
        meta.appendChild(element("span", "fk-badge fk-" + pair[1], pair[0]));
      }
    });
    values.forEach(function (label) {
      if (!VALUES.some(function (pair) { return pair[0] === label; })) {
        meta.appendChild(element("span", "fk-badge", label));
      }
    });
    article.appendChild(meta);
    article.appendChild(snippet(item.x, terms));
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  // --- searching ------------------------------------------------------------------------

  function parts(root) {
    return {
      query: root.querySelector("[data-feedkb-query]"),
      meta: root.querySelector("[data-feedkb-meta]"),
      list: root.querySelector(".md-search-result__list"),
      more: root.querySelector("[data-feedkb-more]"),
      sort: root.querySelector("[data-feedkb-sort]"),
      toggle: root.querySelector("[data-feedkb-filter-toggle]"),
      filters: Array.prototype.slice.call(root.querySelectorAll("[data-feedkb-filter]")),
      panel: root.querySelector("[data-feedkb-filters]"),
    };
  }

  function chosen(ui) {
    var filters = {};
    ui.filters.forEach(function (select) {
      if (select.value) filters[select.dataset.feedkbFilter] = select.value;
    });
    return filters;
  }

  // Does item n pass the chosen filters, all but ``except``?
  function passes(data, filters, n, except) {
    return Object.keys(filters).every(function (key) {
      if (key === except) return true;
      var values = data[key];
      if (!values) return false;
      var index = values.names.indexOf(filters[key]);
      return index >= 0 && values.of[n].indexOf(index) >= 0;
    });
  }

  // Each filter's counts: how many results each of its values gives, with the query and the
  // other filters as they are.
  function counts(data, filters, items) {
    var found = {};
    Object.keys(data).forEach(function (key) {
      var names = data[key].names;
      var tally = {};
      items.forEach(function (n) {
        if (!passes(data, filters, n, key)) return;
        data[key].of[n].forEach(function (index) {
          tally[names[index]] = (tally[names[index]] || 0) + 1;
        });
      });
      found[key] = tally;
    });
    return found;
  }

  // The results region says when it is being updated (tests and screen readers wait for it).
  function busy(root, on) {
    var region = root.querySelector("[data-feedkb-results]");
    if (on) region.setAttribute("aria-busy", "true");
    else region.removeAttribute("aria-busy");
  }

  function run(root) {
    var seq = (sequence += 1);
    busy(root, true);
    return search(root, seq).then(function () {
      if (seq === sequence) busy(root, false);
    });
  }

  function search(root, seq) {
    var ui = parts(root);
    var typed = ui.query.value.trim();
    var groups = phrases(typed);
    var terms = groups.map(function (phrase) { return phrase.text; });
    var filters = chosen(ui);
    var filtering = Object.keys(filters).length > 0;
    var open = ui.toggle.getAttribute("aria-expanded") === "true";
    if (!terms.length && !filtering && !open) {
      current = null;
      ui.meta.textContent = typed ? "没有找到符合条件的结果" : "键入以开始搜索";
      ui.list.textContent = "";
      ui.more.hidden = true;
      return Promise.resolve();
    }
    ui.meta.textContent = "正在搜索…";
    return load()
      .then(function (found) {
        var scored = groups.length ? matches(found, groups) : Promise.resolve(null);
        var wanted = filtering || open ? loadFilters(found) : Promise.resolve(null);
        return Promise.all([scored, wanted]).then(function (both) {
          if (seq !== sequence) return null;
          var scores = both[0];
          var data = both[1];
          var items = [];
          if (scores) scores.forEach(function (_, n) { items.push(n); });
          else if (filtering || open) for (var n = 0; n < found.entry.items; n += 1) items.push(n);
          if (data) showCounts(ui, data, counts(data, filters, items));
          if (!terms.length && !filtering) {
            current = null;
            ui.meta.textContent = "键入或选择以开始搜索";
            ui.list.textContent = "";
            ui.more.hidden = true;
            return null;
          }
          if (filtering) {
            items = items.filter(function (n) {
              return passes(data, filters, n, null);
            });
          }
          var newest = ui.sort.value === "newest" || !scores;
          items.sort(function (a, b) {
            return newest ? b - a : scores.get(b) - scores.get(a) || b - a;
          });
          current = { found: found, order: items, shown: 0, terms: marked(typed, terms) };
          ui.list.textContent = "";
          ui.meta.textContent = items.length
            ? items.length + " 个符合条件的结果"
            : "没有找到符合条件的结果";
          return showMore(ui);
        });
      })
      .catch(function () {
        if (seq === sequence) ui.meta.textContent = "搜索暂不可用";
      });
  }

  function showMore(ui) {
    var now = current;
    if (!now) return Promise.resolve();
    var batch = now.order.slice(now.shown, now.shown + PAGE_SIZE);
    now.shown += batch.length;
    ui.more.hidden = now.shown >= now.order.length;
    return Promise.all(
      batch.map(function (n) {
        return shown(now.found, n);
      })
    ).then(function (items) {
      if (current !== now) return;
      items.forEach(function (item) {
        if (item) ui.list.appendChild(result(item, now.terms));
      });
    });
  }

  // --- the filter row -------------------------------------------------------------------

  function label(value, count) {
    return value + "（" + count + "）";
  }

  function showCounts(ui, data, found) {
    ui.filters.forEach(function (select) {
      var key = select.dataset.feedkbFilter;
      if (select.options.length === 1 && data[key]) {
        var names = data[key].names.slice();
        if (key === "value") {
          var order = VALUES.map(function (pair) { return pair[0]; });
          names.sort(function (a, b) {
            return (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99);
          });
        } else if (key === "month") {
          names.reverse();
        }
        names.forEach(function (name) {
          var option = element("option", "", name);
          option.value = name;
          select.appendChild(option);
        });
      }
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var count = (found[key] || {})[option.value] || 0;
        option.textContent = label(option.value, count);
        option.disabled = count === 0 && option.value !== select.value;
      });
    });
  }

  function toggleFilters(root, button) {
    var ui = parts(root);
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    ui.panel.hidden = !open;
    if (open) run(root); // the filters' values load now, not with the first query
  }

  // --- wiring ---------------------------------------------------------------------------

  function searchRoot(node) {
    return node.closest && node.closest(".md-search");
  }

  var typing = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-feedkb-query]")) {
      clearTimeout(typing);
      var root = searchRoot(input);
      busy(root, true);
      typing = setTimeout(function () {
        run(root);
      }, 150);
      if (input.value.trim()) load().catch(function () {}); // start Pagefind while typing
    }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-feedkb-sort], [data-feedkb-filter]")) {
      run(searchRoot(target));
    }
    if (target.id === "__search" && target.checked) {
      var input = document.querySelector("[data-feedkb-query]");
      if (input) input.focus();
    }
  });
  document.addEventListener("reset", function (event) {
    if (event.target.matches && event.target.matches("[data-feedkb-search]")) {
      var root = searchRoot(event.target);
      setTimeout(function () {
        run(root);
      }, 0);
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
    var target = event.target;
    if (!target.closest) return;
    var filterButton = target.closest("[data-feedkb-filter-toggle]");
    if (filterButton) {
      toggleFilters(searchRoot(filterButton), filterButton);
      return;
    }
    if (target.closest("[data-feedkb-more]")) {
      showMore(parts(searchRoot(target)));
      return;
    }
    // A result link jumps to an anchor, maybe on this very page: close the panel.
    if (target.closest(".md-search-result__link")) {
      var toggle = document.getElementById("__search");
      if (toggle) toggle.checked = false;
    }
  });
})();
