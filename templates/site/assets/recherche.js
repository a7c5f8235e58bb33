/* Search in the published contributions: an enhancement only. Without JavaScript the
   form stays hidden and the paginated list is all there is. The data is loaded as a
   script (contributions/recherche.js calls ateliersRecherche), which works from disk too.
   Results are built with textContent: nothing from the data is ever parsed as HTML. */
(function () {
  "use strict";
  var form = document.querySelector("form.recherche");
  if (!form) { return; }
  var input = document.getElementById("recherche-texte");
  var etat = document.getElementById("recherche-etat");
  var resultats = document.getElementById("recherche-resultats");
  var liste = document.getElementById("liste-complete");
  var territoire = document.getElementById("recherche-territoire");
  var theme = document.getElementById("recherche-theme");
  var racine = form.getAttribute("data-racine") || "";
  var MAX = 50;
  var donnees = null;
  var autres = [];  // numbers of the contributions whose text is not published
  var demande = false;

  function normalise(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  window.ateliersRecherche = function (entrees, nonPubliees) {
    autres = nonPubliees || [];
    donnees = entrees.map(function (e) {
      return { e: e, t: normalise([e.id, e.titre, e.auteur, e.territoire, e.themes, e.extrait].join(" ")) };
    });
    filtre();
  };

  function charge() {
    if (demande) { return; }
    demande = true;
    etat.textContent = "Chargement…";
    var s = document.createElement("script");
    s.src = form.getAttribute("data-index");
    s.onerror = function () { etat.textContent = "La recherche n’a pas pu être chargée."; };
    document.body.appendChild(s);
  }

  function element(tag, texte, classe) {
    var el = document.createElement(tag);
    if (texte) { el.textContent = texte; }
    if (classe) { el.className = classe; }
    return el;
  }

  function carte(e) {
    var li = document.createElement("li");
    var h = element("h2");
    var a = element("a", e.titre || ("Contribution " + e.id));
    if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(e.id)) { a.href = racine + "contributions/" + e.id + ".html"; }
    h.appendChild(a);
    li.appendChild(h);
    li.appendChild(element("p", [e.auteur, e.territoire, e.date, "n° " + e.id].filter(Boolean).join(" — "), "meta"));
    if (e.themes) { li.appendChild(element("p", "Thèmes : " + e.themes, "meta")); }
    if (e.extrait) { li.appendChild(element("p", e.extrait)); }
    return li;
  }

  // « C-0007 », « c0007 », « C 7 », « 7 » → the number it names, if any
  function numero(q) {
    var m = /^([a-z]*)[\s-]*0*(\d+)$/.exec(q);
    if (!m) { return null; }
    var trouve = null;
    autres.forEach(function (id) {
      var n = /^([A-Za-z]*)-?0*(\d+)$/.exec(id);
      if (n && Number(n[2]) === Number(m[2]) && (!m[1] || m[1] === n[1].toLowerCase())) { trouve = id; }
    });
    return trouve;
  }

  function carteNonPubliee(id) {
    var li = document.createElement("li");
    var h = element("h2");
    var a = element("a", "Contribution " + id);
    if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) { a.href = racine + "contributions/" + id + ".html"; }
    h.appendChild(a);
    li.appendChild(h);
    li.appendChild(element("p", "Texte non publié (son auteur n’a pas donné son accord) : sa page dit ce qu’elle est devenue.", "meta"));
    return li;
  }

  // the words typed, the territory and the theme chosen: a contribution must match them all
  function filtre() {
    var q = normalise(input.value.trim());
    var t = territoire ? territoire.value : "";
    var th = theme ? theme.value : "";
    if (!q && !t && !th) {
      resultats.hidden = true;
      liste.hidden = false;
      etat.textContent = "";
      return;
    }
    if (donnees === null) { charge(); return; }
    var mots = q ? q.split(/\s+/) : [];
    var trouves = donnees.filter(function (d) {
      return (!t || d.e.t === t) && (!th || (d.e.th || []).indexOf(th) !== -1)
        && mots.every(function (m) { return d.t.indexOf(m) !== -1; });
    });
    resultats.textContent = "";
    var seul = q && !t && !th ? numero(q) : null;
    if (seul) { resultats.appendChild(carteNonPubliee(seul)); }
    trouves.slice(0, MAX).forEach(function (d) { resultats.appendChild(carte(d.e)); });
    var n = trouves.length + (seul ? 1 : 0);
    etat.textContent = n === 0 ? "Aucune contribution ne correspond."
      : (n === 1 ? "1 contribution correspond." : n + " contributions correspondent.")
        + (n > MAX ? " Les " + MAX + " premières sont affichées ; précisez la recherche." : "");
    resultats.hidden = false;
    liste.hidden = true;
  }

  form.hidden = false;
  form.addEventListener("submit", function (ev) { ev.preventDefault(); filtre(); });
  input.addEventListener("input", filtre);
  input.addEventListener("focus", charge);
  [territoire, theme].forEach(function (choix) {
    if (choix) {
      choix.addEventListener("change", filtre);
      choix.addEventListener("focus", charge);
    }
  });
}());
