// jixiao: the dossier editor (/dossiers/{id}/edit) and the "new dossier" page
// (/dossiers/new). Plain JavaScript, no dependencies. It edits the forms' JSON model; the
// server checks the rules and computes every total (POST /api/check), never this file.
//
// Stable hooks for browser tests:
//   editor: #editor (data-version: the saved version it edits), #save-btn, #save-state,
//     #findings (data-checked="true" once the check of the latest change answered; each
//     li has data-rule), #totals, #check-state, #reason (adjustment), #draft-offer,
//     #conflict (#keep-mine, #take-server), #retry-save;
//     each form is a section [data-form="{k}"]; inputs carry data-path="f{k}:{field path}"
//     (f0:indicators[3].name, f1:details[0].amount, f0:budget.by_source.other);
//     add-row buttons [data-add="indicators|details|key_tasks|items|items[{i}].children"];
//     row buttons [data-act="up|down|del"]; #add-form-kind + #add-form-btn.
//   new page: #upload-file (choosing a file reads it), #upload-btn, #upload-progress,
//     #preview, #create-year,
//     #create-unit (admin), #create-btn, #copy-form, #blank-form.
//
// ES modules: editor-main.js (this entry), editor-util.js (DOM, JSON API, field paths),
// editor-model.js (the page model and the label table), editor-edit.js (the editor, with
// editor-report.js for the report forms), editor-new.js (the new-dossier page). Each page
// imports only its own part. Served under /static/m/{asset version}/ so that the relative
// imports change with every release.
import { $ } from "./editor-util.js";
import { M } from "./editor-model.js";

if (M) {
  if ($("editor")) import("./editor-edit.js").then((m) => m.editor());
  else if ($("upload-form")) import("./editor-new.js").then((m) => m.newPage());
}
