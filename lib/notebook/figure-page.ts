// The page side of a figure: the small script every figure output carries, so a figure draws
// wherever its output is shown, whatever happened to the page before:
//   - plotly.js already on the page (the setup cell loaded it, or a report embeds it): draw;
//   - otherwise load plotly.js once per page, trying in turn the copy `cvae kernel` installs next
//     to the kernelspec (served by any Jupyter server at /kernelspecs/<name>/), the project's own
//     node_modules through the server's /files/ route, and the same path relative to the page
//     (nbconvert HTML kept in notebooks/ or reports/);
//   - if all fail, say so in the figure and draw as soon as the setup cell loads plotly.js.
// Saved notebooks so stay small (no plotly.js in them) and every figure keeps its data once,
// as JSON in a <script type="application/json"> element beside its div.

/** Where a figure's page script may find plotly.js. */
export interface PlotlySources {
  /** Kernelspec name whose folder holds `file` (from the kernel's environment), if known. */
  kernel: string | null;
  /** File name of the plotly.js copy in the kernelspec folder. */
  file: string;
  /** plotly.min.js relative to the notebook's folder, with "/" separators. */
  relative: string;
}

/** Global the page script keeps its state in; versioned so an older page script never answers. */
export const PAGE_GLOBAL = "__cvaeLensFigures1";

// Plain ES2017 that runs in any notebook front end; kept as text so no compiler rewrites it.
const PAGE_SCRIPT = `window.${PAGE_GLOBAL}=window.${PAGE_GLOBAL}||(function(w,d){
var lens={pending:{},loading:false,failed:false,tried:[]};
function dirOf(p){var i=p.lastIndexOf("/");return i<0?"":p.slice(0,i);}
function joinPath(dir,rel){var out=dir?dir.split("/"):[];var parts=rel.split("/");
for(var i=0;i<parts.length;i++){var s=parts[i];if(s===""||s===".")continue;
if(s===".."){if(!out.length)return null;out.pop();}else out.push(s);}
return out.map(encodeURIComponent).join("/");}
function candidates(h){var urls=[],base=null,dir=null,b=d.body;
if(b&&b.getAttribute("data-base-url")!==null){base=decodeURIComponent(b.getAttribute("data-base-url"));
var np=b.getAttribute("data-notebook-path");if(np!==null)dir=dirOf(decodeURIComponent(np));}
else{var cfg=d.getElementById("jupyter-config-data");
if(cfg){try{base=JSON.parse(cfg.textContent).baseUrl||"/";}catch(e){base="/";}}}
if(base===null)return[h.relative];
if(base.slice(-1)!=="/")base+="/";
var kernel=h.kernel;
try{kernel=kernel||w.IPython.notebook.kernel.name;}catch(e){}
if(kernel)urls.push(base+"kernelspecs/"+encodeURIComponent(kernel)+"/"+h.file);
if(dir===null){var m=/\\/(?:notebooks|lab\\/tree|lab\\/workspaces\\/[^/]+\\/tree)\\/(.*)$/.exec(w.location.pathname);
if(m)dir=dirOf(decodeURIComponent(m[1]));}
if(dir!==null){var f=joinPath(dir,h.relative);if(f!==null)urls.push(base+"files/"+f);}
return urls;}
function drawOne(id){var el=d.getElementById(id),spec=d.getElementById(id+"-spec");
if(!el||!spec)return;var s=JSON.parse(spec.textContent);el.textContent="";el.classList.remove("cvae-figure-waiting");
w.Plotly.newPlot(el,s.data,s.layout||{},s.config||{});}
lens.flush=function(){if(!w.Plotly)return;lens.failed=false;
for(var id in lens.pending){delete lens.pending[id];drawOne(id);}};
function say(text){for(var id in lens.pending){var el=d.getElementById(id);
if(el){el.classList.add("cvae-figure-waiting");el.textContent=text;}}}
function fail(){lens.loading=false;lens.failed=true;
say("Figure not drawn: plotly.js could not be loaded on this page (tried: "+(lens.tried.join(", ")||"nothing")+
"). Run the notebook's setup cell (section 0) to load it here, or register the kernel again with "+
"'npm run kernel' (it installs plotly.js next to the kernel).");}
function tryNext(urls){if(w.Plotly){lens.loading=false;return lens.flush();}
var url=urls.shift();if(url===undefined)return fail();lens.tried.push(url);
var sc=d.createElement("script");sc.src=url;
sc.onload=function(){w.Plotly?(lens.loading=false,lens.flush()):tryNext(urls);};
sc.onerror=function(){tryNext(urls);};d.head.appendChild(sc);}
lens.show=function(id,h){lens.pending[id]=true;if(w.Plotly)return lens.flush();
if(lens.failed)return fail();say("Loading plotly.js ...");
if(!lens.loading){lens.loading=true;lens.tried=[];tryNext(candidates(h));}};
return lens;})(window,document);`;

/** The page script, followed by the call that draws figure `id`. */
export function figurePageScript(id: string, sources: PlotlySources, json: (v: unknown) => string): string {
  return `${PAGE_SCRIPT}\nwindow.${PAGE_GLOBAL}.show(${json(id)},${json(sources)});`;
}

/** Script run right after plotly.js arrives: draws every figure that was waiting for it. */
export function flushScript(): string {
  return `if(window.${PAGE_GLOBAL})window.${PAGE_GLOBAL}.flush();`;
}
