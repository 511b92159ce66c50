// The elder-mode rules measured in the page (elder_rules.py says what each means). Called by
// page.evaluate(source, rules) with rules = {text, h1, lineHeight, target, contrast}; returns {problems}.
(rules) => {
  const problems = [];
  const said = new Set();
  const report = (line) => { if (!said.has(line)) { said.add(line); problems.push(line); } };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
    const words = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    return s + (words ? ' "' + words.slice(0, 24) + '"' : '');
  };
  const hidden = (el) => {
    if (!el.getClientRects().length) return true;
    if (getComputedStyle(el).visibility !== 'visible') return true;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (parseFloat(s.opacity) === 0) return true;
      if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') return true;
      const r = a.getBoundingClientRect();
      if (s.overflow === 'hidden' && (r.width <= 1 || r.height <= 1)) return true;
    }
    return false;
  };
  const rgba = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1,
  });
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.backgroundImage && s.backgroundImage !== 'none') return null;
      const c = rgba(s.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let colour = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  };
  const ownText = (el) => {
    if (el.matches('input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea')) return true;
    for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) return true;
    return false;
  };
  const disabled = (el) => el.matches(':disabled') || !!el.closest('[aria-disabled=true], .disabled');

  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT'].includes(el.tagName) || !ownText(el) || hidden(el)) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    if (size < rules.text) report(`text ${size}px < ${rules.text}px: ${name(el)}`);
    if (el.tagName === 'H1' && size < rules.h1) report(`heading ${size}px < ${rules.h1}px: ${name(el)}`);
    const line = s.lineHeight === 'normal' ? 0 : parseFloat(s.lineHeight);
    if (line < rules.lineHeight * size - 0.01) report(`line height ${s.lineHeight} < ${rules.lineHeight} x ${size}px: ${name(el)}`);
    if (disabled(el)) continue;
    const fg = rgba(s.color), bg = background(el);
    if (fg && bg) {
      const c = over(fg, bg);
      const [hi, lo] = [luminance(c), luminance(bg)].sort((x, y) => y - x);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < rules.contrast) report(`contrast ${ratio.toFixed(2)} < ${rules.contrast}: ${name(el)} (${s.color} on ${JSON.stringify(bg)})`);
    }
  }

  const blockOf = (el) => {
    let a = el.parentElement;
    while (a && getComputedStyle(a).display.startsWith('inline')) a = a.parentElement;
    return a || document.body;
  };
  const inSentence = (link) => {
    const block = blockOf(link);
    const all = (block.innerText || '').replace(/\s+/g, '');
    const own = (link.innerText || '').replace(/\s+/g, '');
    return all.replace(own, '').length > 0;
  };
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
  for (const el of document.body.querySelectorAll(targets)) {
    if (hidden(el) || disabled(el)) continue;
    if (el.tagName === 'A' && inSentence(el)) continue;
    let r = el.getBoundingClientRect();
    let box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      for (const label of el.labels || []) {
        const l = label.getBoundingClientRect();
        box = {left: Math.min(box.left, l.left), top: Math.min(box.top, l.top),
               right: Math.max(box.right, l.right), bottom: Math.max(box.bottom, l.bottom)};
      }
    }
    const w = box.right - box.left, h = box.bottom - box.top;
    if (w < rules.target - 0.5 || h < rules.target - 0.5) report(`target ${Math.round(w)}x${Math.round(h)} < ${rules.target}x${rules.target}: ${name(el)}`);
  }
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) report(`page ${root.scrollWidth}px wide in a ${root.clientWidth}px screen`);
  return {problems};
}
