// The archive page's search box: Pagefind's static index of the editions (./pagefind/), queried
// in the browser. Each hit is shown under its edition's date, linked to the story (or section)
// it is in. The only script of the editions server; nothing is loaded from elsewhere.
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const EDITION = /briefing-(\d{4})-(\d{2})-(\d{2})\.html/;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const SHOWN = 20; // editions listed for one query

function longDate(url) {
  const found = EDITION.exec(url);
  return found ? `${Number(found[3])} ${MONTHS[Number(found[2]) - 1]} ${found[1]}` : url;
}

// Pagefind's excerpt is HTML holding only <mark>: rebuilt as text and <mark> elements, so that
// nothing from an edition is ever parsed as markup into this page.
function excerpt(html) {
  const paragraph = document.createElement("p");
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body;
  for (const node of parsed.firstChild ? parsed.firstChild.childNodes : []) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

function show(results, query) {
  list.replaceChildren();
  results.sort((a, b) => b.url.localeCompare(a.url)); // file names sort by date: newest first
  for (const page of results) {
    const item = document.createElement("li");
    const date = document.createElement("p");
    date.className = "result-date";
    date.append("Edition of ", link(page.url, longDate(page.url)));
    item.append(date);
    const hits = document.createElement("ul");
    hits.className = "hits";
    for (const hit of page.sub_results.length ? page.sub_results : [page]) {
      const entry = document.createElement("li");
      const title = hit.url === page.url || !hit.title ? "In this edition" : hit.title;
      entry.append(link(hit.url, title), excerpt(hit.excerpt));
      hits.append(entry);
    }
    item.append(hits);
    list.append(item);
  }
  status.textContent = results.length
    ? `“${query}” is in ${results.length} edition${results.length === 1 ? "" : "s"}, newest first.`
    : `No edition mentions “${query}”.`;
}

// One search bundle a quarter (pagefind/2025q2/), newest first: the newest is loaded, the
// others merged into it, so that one query searches every edition.
async function start() {
  const here = new URL(".", location.href);
  const bundles = document.getElementById("search").dataset.bundles.split(" ").filter(Boolean);
  if (!bundles.length) throw new Error("no search bundle");
  const pagefind = await import(new URL(`pagefind/${bundles[0]}/pagefind.js`, here).href);
  await pagefind.options({ baseUrl: here.pathname, excerptLength: 24 });
  for (const bundle of bundles.slice(1)) {
    const path = new URL(`pagefind/${bundle}/`, here).pathname;
    await pagefind.mergeIndex(path, { baseUrl: here.pathname });
  }
  await pagefind.init();
  let latest = 0;
  input.disabled = false;
  status.textContent = "Type a word to find it in every edition.";
  input.addEventListener("input", async () => {
    const query = input.value.trim();
    const asked = ++latest;
    if (!query) {
      list.replaceChildren();
      status.textContent = "Type a word to find it in every edition.";
      return;
    }
    const search = await pagefind.debouncedSearch(query, {}, 250);
    if (search === null || asked !== latest) return; // a later keystroke replaced this query
    const pages = await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data()));
    if (asked === latest) show(pages, query);
  });
}

start().catch(() => {
  status.textContent = "Search is not available here: the search index could not be loaded.";
});
