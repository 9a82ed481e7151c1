// Sends the chosen file(s) to POST /v1/captions and shows the caption as its tokens arrive
// (Server-Sent Events read from the fetch response).
const drop = document.getElementById('drop');
const fileInput = document.getElementById('file');
const preview = document.getElementById('preview');
const question = document.getElementById('question');
const go = document.getElementById('go');
const caption = document.getElementById('caption');
const statusLine = document.getElementById('status');
let files = [];

function choose(list) {
  files = Array.from(list);
  preview.replaceChildren();
  for (const file of files.slice(0, 8)) {
    const el = document.createElement(file.type.startsWith('video/') ? 'video' : 'img');
    el.src = URL.createObjectURL(file);
    if (el.tagName === 'VIDEO') el.controls = true;
    preview.append(el);
  }
  go.disabled = files.length === 0;
  caption.textContent = '';
  setStatus(files.length === 0 ? '' : `${files.length} file(s) ready`);
}

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.className = isError ? 'error' : '';
}

fileInput.addEventListener('change', () => choose(fileInput.files));
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  choose(e.dataTransfer.files);
});

// One SSE event ("event: x\ndata: {...}") out of the text received so far.
function* events(buffer) {
  let at;
  while ((at = buffer.text.indexOf('\n\n')) !== -1) {
    const block = buffer.text.slice(0, at);
    buffer.text = buffer.text.slice(at + 2);
    let name = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    yield { name, data: JSON.parse(data) };
  }
}

go.addEventListener('click', async () => {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  if (files.length > 1) form.append('frames', 'true');
  if (question.value.trim() !== '') form.append('prompt', question.value.trim());
  go.disabled = true;
  caption.textContent = '';
  setStatus('Captioning...');
  try {
    const response = await fetch('/v1/captions', { method: 'POST', body: form, headers: { accept: 'text/event-stream' } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({ error: { message: response.statusText } }));
      throw new Error(body.error.message);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const buffer = { text: '' };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer.text += value;
      for (const event of events(buffer)) {
        if (event.name === 'token') caption.textContent += event.data.piece;
        else if (event.name === 'done') {
          caption.textContent = event.data.text;
          setStatus(`Done in ${Math.round(event.data.timings.totalMs)} ms (${event.data.tokenIds.length} tokens, ${event.data.model})`);
        } else if (event.name === 'error') throw new Error(event.data.error.message);
      }
    }
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    go.disabled = files.length === 0;
  }
});
