/**
 * A realistic exam desktop as an HTML page (for benchmarks that capture a real screen): a
 * window with a page of 13 px document text, an answer sheet typed into at about a word per
 * second (the text re-flows as it grows), a taskbar clock, and a second window (a form) in
 * front for 20 s every 2 minutes. Real DOM text rendering (DejaVu), 1920x1080.
 */
export const EXAM_DESKTOP_PAGE = `<!doctype html><html><head><style>
body{margin:0;font:13px "DejaVu Sans",sans-serif;background:#3b6ea5;overflow:hidden;height:100vh}
.win{position:absolute;background:#fff;border:1px solid #888;box-shadow:0 2px 8px #0006}
.title{background:#2b579a;color:#fff;font-size:15px;padding:6px 12px;margin:-20px -20px 12px}
.doc{left:30px;top:30px;width:900px;height:960px;padding:20px;box-sizing:border-box;line-height:17px;color:#222;font-family:"DejaVu Serif",serif}
.ans{left:960px;top:30px;width:920px;height:960px;padding:20px;box-sizing:border-box}
.form{left:200px;top:120px;width:700px;height:760px;padding:20px;box-sizing:border-box;display:none}
.form label{display:block;margin:22px 0 4px}.form input{width:500px;height:24px}
textarea{width:100%;height:860px;font:13px "DejaVu Sans",sans-serif;border:1px solid #aaa}
.bar{position:absolute;left:0;right:0;bottom:0;height:40px;background:#202020;color:#fff;text-align:right;padding:12px 20px;box-sizing:border-box;font-size:14px}
</style></head><body>
<div class="win doc" id="doc"><div class="title">Exam paper — Analysis I.pdf</div></div>
<div class="win ans"><div class="title">Answer sheet — question 3</div><textarea id="answer"></textarea></div>
<div class="win form" id="form"><div class="title">Registration form</div></div>
<div class="bar" id="clock"></div>
<script>
const words = 'the proof follows from the lemma above since every bounded monotone sequence of real numbers converges and hence the limit exists whenever the terms are positive we conclude that the series is absolutely convergent for all values of x in the open interval'.split(' ');
const doc = document.getElementById('doc');
for (let i = 0; i < 52; i++) { const p = document.createElement('div'); p.textContent = words.slice(i % 17, (i % 17) + 14).join(' ') + (i % 3 === 0 ? ', as stated in section ' + (i + 1) + '.' : '.'); doc.appendChild(p); }
const form = document.getElementById('form');
for (const f of ['Surname', 'Given name', 'Student number', 'Course', 'Room', 'Seat', 'Surname', 'Given name', 'Student number', 'Course']) { const l = document.createElement('label'); l.textContent = f + ':'; form.appendChild(l); form.appendChild(document.createElement('input')); }
const answer = document.getElementById('answer');
let n = 0;
const start = Date.now();
setInterval(() => {
  answer.value = answer.value.length > 6000 ? '' : answer.value + words[(n++ * 7 + 3) % words.length] + ' ';
  form.style.display = Math.floor((Date.now() - start) / 1000) % 120 >= 100 ? 'block' : 'none';
}, 1000);
const clock = document.getElementById('clock');
setInterval(() => { clock.textContent = new Date().toLocaleTimeString('en-GB'); }, 250);
</script></body></html>`;
