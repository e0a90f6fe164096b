/**
 * The class overview's only script: sorting the students table by a column (click a header
 * button; again to reverse) and filtering it by text and by full marks. Plain JavaScript, no
 * libraries, inline: the page allows exactly this script by its SHA-256 hash in the
 * Content-Security-Policy, so the report still works offline and nothing else can run. Rows
 * carry what it sorts by in `data-` attributes (`order`, `percent`, `language`, `full`).
 *
 * @module
 */

/** The script's source text. */
export const CLASS_LIST_SCRIPT = `
(() => {
  const table = document.querySelector("table.students");
  const filter = document.getElementById("student-filter");
  const show = document.getElementById("student-show");
  const count = document.getElementById("student-count");
  if (!table || !filter || !show || !count) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  let key = "order";
  let direction = 1;
  const value = (row) => key === "language" ? row.dataset.language : Number(row.dataset[key]);
  const apply = () => {
    const words = filter.value.trim().toLowerCase();
    for (const row of rows) {
      const full = row.dataset.full === "1";
      row.hidden = (words !== "" && !row.textContent.toLowerCase().includes(words)) ||
        (show.value === "full" && !full) || (show.value === "below" && full);
    }
    const sorted = rows.slice().sort((a, b) => {
      const x = value(a), y = value(b);
      const order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return (order || Number(a.dataset.order) - Number(b.dataset.order)) * direction;
    });
    body.append(...sorted);
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    const active = table.querySelector('button[data-key="' + key + '"]');
    if (active) active.closest("th").setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
    count.textContent = rows.filter((r) => !r.hidden).length + " of " + rows.length + " shown";
  };
  for (const button of table.querySelectorAll("button[data-key]")) {
    button.addEventListener("click", () => {
      direction = key === button.dataset.key ? -direction : 1;
      key = button.dataset.key;
      apply();
    });
  }
  filter.addEventListener("input", apply);
  show.addEventListener("change", apply);
  apply();
})();
`;
