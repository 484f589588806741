import type { PublicForm } from './submit.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const INPUT_TYPES: Record<string, string> = { email: 'email', phone: 'tel', url: 'url', number: 'number' };

/**
 * The hosted form page (`/f/<public id>`): plain HTML rendered here with the form's fields and a
 * fresh token, one small inline script (allowed by its nonce only) that solves the proof of work
 * when asked, sends JSON to the public API with the page's UTM parameters, and shows the thank-you
 * message or follows the redirect. It works inside the snippet's iframe too.
 */
export function renderFormPage(args: { publicId: string; form: PublicForm; nonce: string }): string {
  const { form } = args;
  const inputs = form.fields.map((f) => {
    const id = `f_${f.name}`;
    const req = f.required ? ' required aria-required="true"' : '';
    const label = `<label for="${id}">${esc(f.label)}${f.required ? ' <span aria-hidden="true">*</span>' : ''}</label>`;
    if (f.type === 'long_text') return `<p>${label}<textarea id="${id}" name="${esc(f.name)}" rows="4"${req}></textarea></p>`;
    if (f.options) return `<p>${label}<select id="${id}" name="${esc(f.name)}"${req}><option value=""></option>${f.options.map((o) => `<option value="${esc(o.value)}">${esc(o.label)}</option>`).join('')}</select></p>`;
    return `<p>${label}<input id="${id}" name="${esc(f.name)}" type="${INPUT_TYPES[f.type] ?? 'text'}"${req}></p>`;
  }).join('\n');
  const config = JSON.stringify({ id: args.publicId, token: form.token, pow: form.pow, thankYou: form.thankYou, redirectUrl: form.redirectUrl, honeypot: form.honeypot }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(form.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;color:#1a1b1e;background:#fff}main{max-width:32rem;margin:0 auto}
label{display:block;font-weight:600;margin-bottom:.25rem}input,select,textarea{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #666;border-radius:4px;font:inherit}
button{padding:.6rem 1.2rem;border:0;border-radius:4px;background:#1c5fb8;color:#fff;font:inherit;cursor:pointer}button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f59f00;outline-offset:1px}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}#status{margin-top:1rem}.error{color:#a61e1e}
</style></head>
<body><main><h1>${esc(form.name)}</h1>
<form id="lead-form" novalidate>
${inputs}
<div class="hp" aria-hidden="true"><label for="f_hp">Leave this empty</label><input id="f_hp" name="${esc(form.honeypot)}" tabindex="-1" autocomplete="off"></div>
<p><button type="submit">Send</button></p>
</form><div id="status" role="status" aria-live="polite"></div></main>
<script nonce="${args.nonce}">
(function(){var c=${config};var f=document.getElementById('lead-form');var s=document.getElementById('status');
async function solve(t,bits){var enc=new TextEncoder();for(var n=0;;n++){var h=new Uint8Array(await crypto.subtle.digest('SHA-256',enc.encode(t+':'+n)));var z=0;for(var i=0;i<h.length;i++){if(h[i]===0){z+=8;continue}z+=Math.clz32(h[i])-24;break}if(z>=bits)return String(n)}}
f.addEventListener('submit',async function(e){e.preventDefault();if(!f.reportValidity())return;var b=f.querySelector('button');b.disabled=true;s.className='';s.textContent='Sending…';
var values={};Array.prototype.forEach.call(f.elements,function(el){if(el.name&&el.name!==c.honeypot&&el.value!=='')values[el.name]=el.value});
var q=new URLSearchParams(location.search);var utm={};['utm_source','utm_medium','utm_campaign','utm_term','utm_content'].forEach(function(k){if(q.get(k))utm[k]=q.get(k)});
var body={token:c.token,values:values,utm:utm};body[c.honeypot]=f.elements[c.honeypot].value;
try{if(c.pow)body.pow=await solve(c.token,c.pow.bits);
var r=await fetch('/api/v1/public/forms/'+encodeURIComponent(c.id),{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)});var a=await r.json();
if(!r.ok){s.className='error';s.textContent=a.errors&&a.errors.length?a.errors.map(function(x){return x.message}).join('. '):a.detail;b.disabled=false;return}
if(a.redirectUrl){try{window.top.location.href=a.redirectUrl}catch(_){location.href=a.redirectUrl}return}
f.hidden=true;s.textContent=a.message||'Thank you.'}catch(err){s.className='error';s.textContent='Could not send the form; try again.';b.disabled=false}});})();
</script></body></html>`;
}

/**
 * The embed script (`/f/<public id>/embed.js`): an iframe of the hosted page where the script tag
 * stands, passing on the host page's UTM parameters.
 */
export function renderEmbedScript(args: { pageUrl: string }): string {
  return `(function(){var s=document.currentScript;var q=new URLSearchParams(location.search);var p=new URLSearchParams();
['utm_source','utm_medium','utm_campaign','utm_term','utm_content'].forEach(function(k){if(q.get(k))p.set(k,q.get(k))});
var f=document.createElement('iframe');f.src=${JSON.stringify(args.pageUrl)}+(p.toString()?'?'+p:'');f.title='Contact form';f.style.cssText='width:100%;min-height:560px;border:0';
s.parentNode.insertBefore(f,s);})();`;
}

export function snippetsFor(publicUrl: string, publicId: string): { hostedUrl: string; script: string; iframe: string } {
  const hostedUrl = `${publicUrl.replace(/\/$/, '')}/f/${publicId}`;
  return {
    hostedUrl,
    script: `<script src="${hostedUrl}/embed.js" async></script>`,
    iframe: `<iframe src="${hostedUrl}" title="Contact form" style="width:100%;min-height:560px;border:0"></iframe>`,
  };
}
