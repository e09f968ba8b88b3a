/** A new element with properties (`className`, `tabIndex`, ...) and attributes (names with a dash). */
export function el(tag, props = {}) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.includes("-")) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  return node;
}
