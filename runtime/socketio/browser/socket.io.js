/*!
 * siogen browser client: socket.io.js
 *
 * The part of socket.io-client 2.x's io() API that pages use, written for
 * siogen (https://github.com/siogen/siogen): Engine.IO v3 (XHR long-polling,
 * upgrade to websocket, heartbeat) and Socket.IO v4 (namespaces, events, acks,
 * binary, reconnection). One file, no dependencies, no build step; served by
 * the siogen runtime at <path>socket.io.js.
 *
 *   const socket = io();                     // same origin, namespace "/"
 *   const admin = io('/admin', { query: { token: 't' } });
 *   socket.on('chat message', (msg) => { ... });
 *   socket.emit('chat message', 'hi', (recipients) => { ... });
 *
 * Options of io(url, opts), with socket.io-client 2.x's defaults:
 *   path ('/socket.io'), query (object or string), transports
 *   (['polling', 'websocket']), upgrade (true), reconnection (true),
 *   reconnectionAttempts (Infinity), reconnectionDelay (1000),
 *   reconnectionDelayMax (5000), randomizationFactor (0.5), timeout (20000),
 *   autoConnect (true), forceNew / multiplex, withCredentials (true).
 * Polling always uses XHR with binary (XHR2) payloads: forceJSONP and
 * forceBase64 are accepted and ignored. Binary values are ArrayBuffers and
 * typed arrays; received binary arrives as ArrayBuffer.
 */
(function (root) {
  'use strict';

  // ------------------------------------------------------------------ events

  // Emitter is the event emitter of every object here: on/once/off and a
  // local emit. Socket overrides emit to send to the server, so the local
  // dispatch is also available as _fire.
  class Emitter {
    on(event, fn) {
      if (!this._handlers) this._handlers = new Map();
      const list = this._handlers.get(event);
      if (list) list.push(fn);
      else this._handlers.set(event, [fn]);
      return this;
    }

    once(event, fn) {
      const wrapper = (...args) => {
        this.off(event, wrapper);
        fn.apply(this, args);
      };
      wrapper.fn = fn;
      return this.on(event, wrapper);
    }

    off(event, fn) {
      if (!this._handlers) return this;
      if (event === undefined) {
        this._handlers.clear();
      } else if (fn === undefined) {
        this._handlers.delete(event);
      } else {
        const list = this._handlers.get(event) || [];
        const i = list.findIndex((h) => h === fn || h.fn === fn);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this._handlers.delete(event);
      }
      return this;
    }

    listeners(event) {
      return (this._handlers && this._handlers.get(event) || []).slice();
    }

    hasListeners(event) {
      return this.listeners(event).length > 0;
    }

    // _fire calls the handlers of event. A handler that throws is reported
    // (as an uncaught error) but does not stop the others, nor the protocol
    // code that fired the event.
    _fire(event, ...args) {
      for (const fn of this.listeners(event)) {
        try {
          fn.apply(this, args);
        } catch (err) {
          reportError(err);
        }
      }
      return this;
    }

    emit(event, ...args) {
      return this._fire(event, ...args);
    }
  }
  Emitter.prototype.addEventListener = Emitter.prototype.on;
  Emitter.prototype.removeListener = Emitter.prototype.off;
  Emitter.prototype.removeEventListener = Emitter.prototype.off;
  Emitter.prototype.removeAllListeners = Emitter.prototype.off;

  function reportError(err) {
    if (typeof root.reportError === 'function') root.reportError(err);
    else setTimeout(() => { throw err; }, 0);
  }

  // subscribe registers fn on emitter and returns a handle whose destroy()
  // unregisters it, so that a group of subscriptions can be dropped at once.
  function subscribe(emitter, event, fn) {
    emitter.on(event, fn);
    return { destroy: () => emitter.off(event, fn) };
  }

  // ------------------------------------------------------------------ bytes

  const utf8Encoder = new TextEncoder();
  const utf8Decoder = new TextDecoder();

  // isBinary reports whether v is binary data: an ArrayBuffer or a view of
  // one (Uint8Array, DataView, ...).
  function isBinary(v) {
    return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
  }

  function bytesOf(v) {
    if (v instanceof ArrayBuffer) return new Uint8Array(v);
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  function base64ToArrayBuffer(s) {
    const raw = atob(s);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }

  // -------------------------------------------------- Engine.IO v3 packets

  // Engine.IO packet types by their number on the wire.
  const EIO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];
  const EIO_NUMBER = {};
  EIO_TYPES.forEach((name, i) => { EIO_NUMBER[name] = i; });

  // encodeEnginePacket returns the packet as one websocket frame: a string
  // "<type digit><data>", or for binary data the bytes <type><data>.
  function encodeEnginePacket(packet) {
    const type = EIO_NUMBER[packet.type];
    if (isBinary(packet.data)) {
      const data = bytesOf(packet.data);
      const out = new Uint8Array(1 + data.length);
      out[0] = type;
      out.set(data, 1);
      return out;
    }
    return String(type) + (packet.data === undefined ? '' : packet.data);
  }

  // decodeEnginePacket decodes a websocket frame or a payload entry: a
  // string (base64 binary when it starts with "b") or an ArrayBuffer whose
  // first byte is the type. It throws on anything else.
  function decodeEnginePacket(data) {
    if (typeof data === 'string') {
      if (data.charAt(0) === 'b') {
        return { type: engineType(data.charCodeAt(1) - 48), data: base64ToArrayBuffer(data.slice(2)) };
      }
      const type = engineType(data.charCodeAt(0) - 48);
      return data.length > 1 ? { type, data: data.slice(1) } : { type };
    }
    const bytes = new Uint8Array(data);
    if (bytes.length === 0) throw new Error('empty binary packet');
    return { type: engineType(bytes[0]), data: data.slice(1) };
  }

  function engineType(n) {
    const type = EIO_TYPES[n];
    if (type === undefined) throw new Error('unknown packet type');
    return type;
  }

  // encodeTextPayload joins string packets for a polling body:
  // "<length>:<packet>" each, the length in UTF-16 code units (String.length).
  function encodeTextPayload(packets) {
    let out = '';
    for (const p of packets) {
      const s = encodeEnginePacket(p);
      out += s.length + ':' + s;
    }
    return out;
  }

  // encodeBinaryPayload joins packets, some of them binary, as an XHR2
  // payload: per packet a flag byte (0 string, 1 binary), the length as one
  // byte per decimal digit, 0xff, then the packet's bytes (strings in UTF-8).
  function encodeBinaryPayload(packets) {
    const parts = [];
    let size = 0;
    for (const p of packets) {
      const encoded = encodeEnginePacket(p);
      const binary = typeof encoded !== 'string';
      const bytes = binary ? encoded : utf8Encoder.encode(encoded);
      const digits = String(bytes.length);
      const head = new Uint8Array(digits.length + 2);
      head[0] = binary ? 1 : 0;
      for (let i = 0; i < digits.length; i++) head[i + 1] = digits.charCodeAt(i) - 48;
      head[head.length - 1] = 0xff;
      parts.push(head, bytes);
      size += head.length + bytes.length;
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  // decodeTextPayload splits a "<length>:<packet>..." polling body.
  function decodeTextPayload(body) {
    if (body.length === 0) throw new Error('empty payload');
    const packets = [];
    let i = 0;
    while (i < body.length) {
      const colon = body.indexOf(':', i);
      if (colon < 0) throw new Error('payload without ":"');
      const lengthText = body.slice(i, colon);
      const n = Number(lengthText);
      if (lengthText === '' || !Number.isInteger(n) || colon + 1 + n > body.length) {
        throw new Error('bad payload length');
      }
      if (n > 0) packets.push(decodeEnginePacket(body.substr(colon + 1, n)));
      i = colon + 1 + n;
    }
    return packets;
  }

  // decodeBinaryPayload splits an XHR2 payload (see encodeBinaryPayload).
  function decodeBinaryPayload(buffer) {
    const bytes = new Uint8Array(buffer);
    const packets = [];
    let i = 0;
    while (i < bytes.length) {
      const binary = bytes[i] === 1;
      let n = 0;
      let digits = 0;
      for (i++; bytes[i] !== 0xff; i++) {
        if (i >= bytes.length || bytes[i] > 9 || ++digits > 310) throw new Error('bad payload length');
        n = n * 10 + bytes[i];
      }
      i++;
      if (i + n > bytes.length) throw new Error('bad payload length');
      const entry = buffer.slice(i, i + n);
      packets.push(decodeEnginePacket(binary ? entry : utf8Decoder.decode(entry)));
      i += n;
    }
    return packets;
  }

  // ------------------------------------------------- Engine.IO transports

  let requestCounter = 0;

  // cacheBuster returns a value for the "t" query parameter that differs on
  // every request, so that no cache answers a poll.
  function cacheBuster() {
    return Date.now().toString(36) + '.' + (requestCounter++).toString(36);
  }

  function encodeQuery(query) {
    return Object.keys(query)
      .map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(query[k]))
      .join('&');
  }

  // Transport is what Polling and WebSocketTransport share. readyState goes
  // '' -> 'opening' -> 'open' -> 'closed' (Polling adds 'pausing', 'paused').
  // Events: open, packet, error, close, drain (a write finished).
  class Transport extends Emitter {
    constructor(engine, query) {
      super();
      this.engine = engine;
      this.query = query;
      this.readyState = '';
      this.writable = false;
    }

    open() {
      if (this.readyState === '' || this.readyState === 'closed') {
        this.readyState = 'opening';
        this.doOpen();
      }
      return this;
    }

    close() {
      if (this.readyState === 'opening' || this.readyState === 'open') {
        this.doClose();
        this.onClose();
      }
      return this;
    }

    send(packets) {
      if (this.readyState !== 'open') throw new Error('transport not open');
      this.write(packets);
    }

    url(scheme, query) {
      const e = this.engine;
      const defaultPort = scheme === 'https' || scheme === 'wss' ? '443' : '80';
      const port = e.port && String(e.port) !== defaultPort ? ':' + e.port : '';
      const q = encodeQuery(query);
      return scheme + '://' + e.hostname + port + e.path + (q ? '?' + q : '');
    }

    onOpen() {
      this.readyState = 'open';
      this.writable = true;
      this._fire('open');
    }

    onPacket(packet) {
      this._fire('packet', packet);
    }

    onError(message, description) {
      const err = new Error(message);
      err.type = 'TransportError';
      err.description = description;
      this._fire('error', err);
    }

    onClose() {
      this.readyState = 'closed';
      this._fire('close');
    }
  }

  // Polling is XHR long-polling: one GET waiting for the server's packets
  // and at most one POST carrying ours at any time.
  class Polling extends Transport {
    get name() { return 'polling'; }

    doOpen() {
      this.poll();
    }

    poll() {
      this.polling = true;
      this.request('GET', null, false,
        (body, contentType) => this.onPollData(body, contentType),
        (status) => this.onError('xhr poll error', status));
      this._fire('poll');
    }

    onPollData(body, contentType) {
      let packets;
      try {
        packets = contentType.indexOf('application/octet-stream') === 0
          ? decodeBinaryPayload(body)
          : decodeTextPayload(utf8Decoder.decode(body));
      } catch (err) {
        this.onError('parse error', err);
        return;
      }
      for (const packet of packets) {
        if (this.readyState === 'opening' && packet.type === 'open') this.onOpen();
        if (packet.type === 'close') {
          this.onClose();
          return;
        }
        this.onPacket(packet);
        if (this.readyState === 'closed') return;
      }
      this.polling = false;
      this._fire('pollComplete');
      if (this.readyState === 'open') this.poll();
    }

    // pause stops polling for an upgrade: it waits for the GET and the POST
    // in flight, starts no new ones, then calls onPause.
    pause(onPause) {
      this.readyState = 'pausing';
      let waiting = 0;
      const done = () => {
        if (--waiting > 0 || this.readyState !== 'pausing') return; // resumed meanwhile
        this.readyState = 'paused';
        onPause();
      };
      if (this.polling) {
        waiting++;
        this.once('pollComplete', done);
      }
      if (!this.writable) {
        waiting++;
        this.once('drain', done);
      }
      if (waiting === 0) {
        waiting = 1;
        done();
      }
    }

    // resume undoes pause when the upgrade fails after it began.
    resume() {
      if (this.readyState !== 'pausing' && this.readyState !== 'paused') return;
      this.readyState = 'open';
      if (!this.polling) this.poll();
    }

    write(packets) {
      this.writable = false;
      const binary = packets.some((p) => isBinary(p.data));
      const body = binary ? encodeBinaryPayload(packets) : encodeTextPayload(packets);
      this.request('POST', body, binary,
        () => {
          this.writable = true;
          this._fire('drain');
        },
        (status) => this.onError('xhr post error', status));
    }

    doClose() {
      const sendClose = () => this.write([{ type: 'close' }]);
      if (this.readyState === 'open') sendClose();
      else this.once('open', sendClose);
    }

    // request sends one XHR; onLoad gets the body as an ArrayBuffer and its
    // Content-Type, onError the HTTP status (0 for a network error). Neither
    // is called once the transport is closed.
    request(method, body, binary, onLoad, onError) {
      const query = Object.assign({}, this.query, { t: cacheBuster() });
      const xhr = new XMLHttpRequest();
      xhr.open(method, this.url(this.engine.secure ? 'https' : 'http', query), true);
      xhr.responseType = 'arraybuffer';
      xhr.withCredentials = this.engine.withCredentials;
      if (method === 'POST') {
        xhr.setRequestHeader('Content-Type', binary ? 'application/octet-stream' : 'text/plain;charset=UTF-8');
      }
      const failed = (status) => {
        if (this.readyState !== 'closed') onError(status);
      };
      xhr.onload = () => {
        if (xhr.status !== 200) failed(xhr.status);
        else if (this.readyState !== 'closed') onLoad(xhr.response, xhr.getResponseHeader('Content-Type') || '');
      };
      xhr.onerror = () => failed(0);
      xhr.send(body);
      return xhr;
    }
  }

  // WebSocketTransport carries one Engine.IO packet per frame.
  class WebSocketTransport extends Transport {
    get name() { return 'websocket'; }

    doOpen() {
      let ws;
      try {
        ws = new WebSocket(this.url(this.engine.secure ? 'wss' : 'ws', this.query));
      } catch (err) {
        this._fire('error', err);
        return;
      }
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => this.onOpen();
      ws.onclose = () => {
        if (this.readyState !== 'closed') this.onClose();
      };
      ws.onerror = (ev) => this.onError('websocket error', ev);
      ws.onmessage = (ev) => {
        let packet;
        try {
          packet = decodeEnginePacket(ev.data);
        } catch (err) {
          this.onError('parse error', err);
          return;
        }
        this.onPacket(packet);
      };
      this.ws = ws;
    }

    write(packets) {
      this.writable = false;
      for (const p of packets) {
        try {
          this.ws.send(encodeEnginePacket(p));
        } catch (err) {
          // The socket closed under us; its close event follows.
        }
      }
      // Report the drain after the caller has done its bookkeeping, as a
      // polling POST would.
      setTimeout(() => {
        this.writable = true;
        this._fire('drain');
      }, 0);
    }

    doClose() {
      if (this.ws) {
        this.ws.onerror = null;
        this.ws.close();
      }
    }
  }

  const TRANSPORTS = { polling: Polling, websocket: WebSocketTransport };

  // ---------------------------------------------------- Engine.IO socket

  // Engine is one Engine.IO v3 session: the handshake on the first
  // transport, the upgrade probe, the heartbeat (the client pings) and the
  // write buffer. Events: open, handshake, packet, data, ping, pong,
  // upgrading, upgrade, upgradeError, drain, error, close(reason, desc).
  class Engine extends Emitter {
    constructor(opts) {
      super();
      this.secure = opts.secure;
      this.hostname = opts.hostname;
      this.port = opts.port;
      this.path = (opts.path || '/socket.io').replace(/\/$/, '') + '/';
      this.query = opts.query || {};
      this.transports = (opts.transports || ['polling', 'websocket']).filter((t) => TRANSPORTS[t]);
      this.upgrade = opts.upgrade !== false;
      this.withCredentials = opts.withCredentials !== false;
      this.readyState = '';
      this.writeBuffer = [];
      this.prevBufferLen = 0;
      this.upgrading = false;
      this.id = null;
      this.open();
    }

    createTransport(name) {
      const query = Object.assign({}, this.query, { EIO: 3, transport: name });
      if (this.id) query.sid = this.id;
      return new TRANSPORTS[name](this, query);
    }

    open() {
      if (this.transports.length === 0) {
        setTimeout(() => this._fire('error', 'No transports available'), 0);
        return;
      }
      this.readyState = 'opening';
      const transport = this.createTransport(this.transports[0]);
      this.setTransport(transport);
      transport.open();
    }

    setTransport(transport) {
      if (this.transport) this.transport.off();
      this.transport = transport;
      transport.on('drain', () => this.onDrain());
      transport.on('packet', (p) => this.onPacket(p));
      transport.on('error', (err) => this.onError(err));
      transport.on('close', () => this.onClose('transport close'));
    }

    // probe tries the transport called name beside the current one: ping
    // "probe", wait for "pong probe", pause polling, then switch and send
    // "upgrade". Any failure leaves the session on the current transport.
    probe(name) {
      let probe = this.createTransport(name);
      let failed = false;

      const cleanup = () => {
        probe.off('open', onOpen);
        probe.off('error', onError);
        probe.off('close', onTransportClose);
        this.off('close', onEngineClose);
        this.off('upgrading', onOtherUpgrade);
      };
      const freeze = () => {
        if (failed) return;
        failed = true;
        cleanup();
        probe.close();
        probe = null;
        if (this.upgrading) {
          // The probe failed after polling was paused for it (the official
          // client stays paused until the ping timeout): carry on polling.
          this.upgrading = false;
          this.transport.resume();
          this.flush();
        }
      };
      const onError = (err) => {
        const error = new Error('probe error: ' + (err && err.message || err));
        error.transport = name;
        freeze();
        this._fire('upgradeError', error);
      };
      const onTransportClose = () => onError('transport closed');
      const onEngineClose = () => onError('socket closed');
      const onOtherUpgrade = (to) => {
        if (probe && to.name !== probe.name) freeze();
      };
      const onOpen = () => {
        if (failed) return;
        probe.send([{ type: 'ping', data: 'probe' }]);
        probe.once('packet', (msg) => {
          if (failed) return;
          if (msg.type !== 'pong' || msg.data !== 'probe') {
            onError('unexpected ' + msg.type);
            return;
          }
          this.upgrading = true;
          this._fire('upgrading', probe);
          this.transport.pause(() => {
            if (failed || this.readyState === 'closed') return;
            cleanup();
            this.setTransport(probe);
            probe.send([{ type: 'upgrade' }]);
            this._fire('upgrade', probe);
            probe = null;
            this.upgrading = false;
            this.flush();
          });
        });
      };

      probe.once('open', onOpen);
      probe.once('error', onError);
      probe.once('close', onTransportClose);
      this.once('close', onEngineClose);
      this.once('upgrading', onOtherUpgrade);
      probe.open();
    }

    onPacket(packet) {
      if (this.readyState !== 'opening' && this.readyState !== 'open' && this.readyState !== 'closing') return;
      this._fire('packet', packet);
      if (this.readyState !== 'opening') this.resetPingTimeout(this.pingInterval + this.pingTimeout);
      switch (packet.type) {
        case 'open':
          this.onHandshake(packet.data);
          break;
        case 'pong':
          this.schedulePing();
          this._fire('pong');
          break;
        case 'message':
          this._fire('data', packet.data);
          this._fire('message', packet.data);
          break;
      }
    }

    onHandshake(json) {
      let data;
      try {
        data = JSON.parse(json);
      } catch (err) {
        this.onError(new Error('bad handshake'));
        return;
      }
      this._fire('handshake', data);
      this.id = data.sid;
      this.transport.query.sid = data.sid;
      this.upgrades = (data.upgrades || []).filter((t) => this.transports.indexOf(t) >= 0);
      this.pingInterval = data.pingInterval;
      this.pingTimeout = data.pingTimeout;
      this.readyState = 'open';
      this._fire('open');
      this.flush();
      if (this.readyState !== 'open') return; // an open handler closed it
      if (this.upgrade && this.transport.pause) {
        for (const name of this.upgrades) this.probe(name);
      }
      this.schedulePing();
      this.resetPingTimeout(this.pingInterval + this.pingTimeout);
    }

    // schedulePing sends the next ping pingInterval from now, after which
    // the server has pingTimeout to answer.
    schedulePing() {
      clearTimeout(this.pingIntervalTimer);
      this.pingIntervalTimer = setTimeout(() => {
        this.sendPacket('ping');
        this._fire('ping');
        this.resetPingTimeout(this.pingTimeout);
      }, this.pingInterval);
    }

    // resetPingTimeout closes the session if nothing arrives within ms.
    resetPingTimeout(ms) {
      clearTimeout(this.pingTimeoutTimer);
      this.pingTimeoutTimer = setTimeout(() => {
        if (this.readyState !== 'closed') this.onClose('ping timeout');
      }, ms);
    }

    onDrain() {
      this.writeBuffer.splice(0, this.prevBufferLen);
      this.prevBufferLen = 0;
      if (this.writeBuffer.length === 0) this._fire('drain');
      else this.flush();
    }

    // flush hands the whole write buffer to the transport when it can take
    // it; what is written meanwhile waits for the next flush (the drain).
    flush() {
      if (this.readyState !== 'closed' && this.transport.writable && !this.upgrading && this.writeBuffer.length) {
        this.transport.send(this.writeBuffer.slice());
        this.prevBufferLen = this.writeBuffer.length;
        this._fire('flush');
      }
    }

    // write queues messages (strings or binary) to be sent in order, in one
    // batch when the transport allows.
    write(...messages) {
      for (const m of messages) this.sendPacket('message', m, false);
      this.flush();
      return this;
    }

    sendPacket(type, data, flush) {
      if (this.readyState === 'closing' || this.readyState === 'closed') return;
      this.writeBuffer.push(data === undefined ? { type } : { type, data });
      if (flush !== false) this.flush();
    }

    // close ends the session after what is queued has been sent.
    close() {
      if (this.readyState !== 'opening' && this.readyState !== 'open') return this;
      this.readyState = 'closing';
      const close = () => {
        this.onClose('forced close');
        this.transport.close();
      };
      const afterUpgrade = () => {
        const done = () => {
          this.off('upgrade', done);
          this.off('upgradeError', done);
          close();
        };
        this.once('upgrade', done);
        this.once('upgradeError', done);
      };
      if (this.writeBuffer.length) {
        this.once('drain', () => (this.upgrading ? afterUpgrade() : close()));
      } else if (this.upgrading) {
        afterUpgrade();
      } else {
        close();
      }
      return this;
    }

    onError(err) {
      this._fire('error', err);
      this.onClose('transport error', err);
    }

    onClose(reason, desc) {
      if (this.readyState !== 'opening' && this.readyState !== 'open' && this.readyState !== 'closing') return;
      clearTimeout(this.pingIntervalTimer);
      clearTimeout(this.pingTimeoutTimer);
      this.transport.off('close');
      this.transport.close(); // sends "close" over polling if still open
      this.transport.off();
      this.readyState = 'closed';
      this.id = null;
      this._fire('close', reason, desc);
      this.writeBuffer = [];
      this.prevBufferLen = 0;
    }
  }

  // ------------------------------------------------ Socket.IO v4 packets

  const CONNECT = 0;
  const DISCONNECT = 1;
  const EVENT = 2;
  const ACK = 3;
  const ERROR = 4;
  const BINARY_EVENT = 5;
  const BINARY_ACK = 6;

  // hasBinary reports whether binary data sits anywhere in v, looking
  // through arrays, objects and toJSON results as JSON.stringify would.
  function hasBinary(v) {
    if (v === null || typeof v !== 'object') return false;
    if (isBinary(v)) return true;
    if (Array.isArray(v)) return v.some(hasBinary);
    if (typeof v.toJSON === 'function') return hasBinary(v.toJSON());
    return Object.keys(v).some((k) => hasBinary(v[k]));
  }

  // extractBinary returns a copy of v in which each binary value is
  // replaced by {_placeholder: true, num: N}, appending it to buffers.
  function extractBinary(v, buffers) {
    if (v === null || typeof v !== 'object') return v;
    if (isBinary(v)) {
      buffers.push(v);
      return { _placeholder: true, num: buffers.length - 1 };
    }
    if (Array.isArray(v)) return v.map((x) => extractBinary(x, buffers));
    if (typeof v.toJSON === 'function') return extractBinary(v.toJSON(), buffers);
    const out = {};
    for (const k of Object.keys(v)) out[k] = extractBinary(v[k], buffers);
    return out;
  }

  // insertBinary replaces the placeholders of v with the buffers they name.
  function insertBinary(v, buffers) {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => insertBinary(x, buffers));
    if (v._placeholder === true) {
      if (!Number.isInteger(v.num) || v.num < 0 || v.num >= buffers.length) throw new Error('bad placeholder');
      return buffers[v.num];
    }
    for (const k of Object.keys(v)) v[k] = insertBinary(v[k], buffers);
    return v;
  }

  // encodePacket returns the Engine.IO messages of a Socket.IO packet: the
  // string "<type>[<n>-][<nsp>,][<id>][<json>]", then the n attachments.
  function encodePacket(packet) {
    let type = packet.type;
    let data = packet.data;
    const buffers = [];
    if (type === BINARY_EVENT || type === BINARY_ACK) {
      data = extractBinary(data, buffers);
      if (buffers.length === 0) type = type === BINARY_EVENT ? EVENT : ACK;
    }
    let s = String(type);
    if (buffers.length) s += buffers.length + '-';
    if (packet.nsp && packet.nsp !== '/') s += packet.nsp + ',';
    if (packet.id !== undefined && packet.id !== null) s += packet.id;
    if (data !== undefined) s += JSON.stringify(data);
    return [s].concat(buffers);
  }

  // Decoder turns Engine.IO messages back into Socket.IO packets, holding a
  // binary packet until its attachments have arrived.
  class Decoder {
    constructor() {
      this.pending = null;
    }

    // add takes one message and returns the completed packet, or null while
    // attachments are awaited. It throws on a malformed message.
    add(message) {
      if (typeof message !== 'string') {
        const pending = this.pending;
        if (!pending) throw new Error('binary data without a binary packet');
        pending.buffers.push(message);
        if (pending.buffers.length < pending.attachments) return null;
        this.pending = null;
        pending.packet.data = insertBinary(pending.packet.data, pending.buffers);
        return pending.packet;
      }
      if (this.pending) {
        this.pending = null;
        throw new Error('text while waiting for attachments');
      }
      const packet = decodePacketString(message);
      if (packet.attachments) {
        this.pending = { packet, attachments: packet.attachments, buffers: [] };
        delete packet.attachments;
        return null;
      }
      return packet;
    }

    reset() {
      this.pending = null;
    }
  }

  function decodePacketString(s) {
    const packet = { type: s.charCodeAt(0) - 48, nsp: '/' };
    if (!(packet.type >= CONNECT && packet.type <= BINARY_ACK)) throw new Error('unknown packet type');
    let i = 1;
    if (packet.type === BINARY_EVENT || packet.type === BINARY_ACK) {
      const dash = s.indexOf('-', i);
      const n = Number(s.slice(i, dash));
      if (dash < 0 || !Number.isInteger(n) || n < 1) throw new Error('bad attachment count');
      packet.attachments = n;
      i = dash + 1;
    }
    if (s.charAt(i) === '/') {
      const comma = s.indexOf(',', i);
      const end = comma < 0 ? s.length : comma;
      packet.nsp = s.slice(i, end);
      i = end + 1;
    }
    const id = /^\d+/.exec(s.slice(i));
    if (id) {
      packet.id = Number(id[0]);
      i += id[0].length;
    }
    if (i < s.length) packet.data = JSON.parse(s.slice(i));
    const d = packet.data;
    const ok = {
      [CONNECT]: () => d === undefined || (typeof d === 'object' && d !== null),
      [DISCONNECT]: () => d === undefined,
      [EVENT]: () => Array.isArray(d) && d.length > 0 && (typeof d[0] === 'string' || typeof d[0] === 'number'),
      [ACK]: () => Array.isArray(d) && packet.id !== undefined,
      [ERROR]: () => typeof d === 'string' || (typeof d === 'object' && d !== null),
    };
    ok[BINARY_EVENT] = ok[EVENT];
    ok[BINARY_ACK] = ok[ACK];
    if (!ok[packet.type]()) throw new Error('invalid payload');
    return packet;
  }

  // -------------------------------------------------------------- backoff

  // Backoff computes reconnection delays: min * 2^attempt, spread by up to
  // ±jitter of itself, capped at max (the backo2 algorithm of socket.io-client).
  class Backoff {
    constructor(min, max, jitter) {
      this.min = min;
      this.max = max;
      this.jitter = jitter > 0 && jitter <= 1 ? jitter : 0;
      this.attempts = 0;
    }

    duration() {
      let ms = this.min * Math.pow(2, this.attempts++);
      if (this.jitter) {
        const r = Math.random();
        const deviation = Math.floor(r * this.jitter * ms);
        ms = (Math.floor(r * 10) & 1) === 0 ? ms - deviation : ms + deviation;
      }
      return Math.min(ms, this.max) | 0;
    }

    reset() {
      this.attempts = 0;
    }
  }

  // -------------------------------------------------------------- Manager

  // Manager owns one Engine.IO connection shared by the sockets of its
  // namespaces, and reconnects it with backoff when it drops.
  // Events (also emitted on every socket): connect_error, connect_timeout,
  // reconnect_attempt, reconnecting, reconnect_error, reconnect,
  // reconnect_failed, ping, pong, error; and open, close, packet.
  class Manager extends Emitter {
    constructor(uri, opts) {
      super();
      if (uri && typeof uri === 'object' && !uri.hostname) {
        opts = uri;
        uri = undefined;
      }
      this.uri = typeof uri === 'string' || uri === undefined ? parseURL(uri) : uri;
      opts = opts || {};
      this.opts = opts;
      opts.path = opts.path || '/socket.io';
      this.nsps = {};
      this.subs = [];
      this.connecting = new Set();
      this.backoff = new Backoff(1000, 5000, 0.5);
      this.reconnection(opts.reconnection !== false);
      this.reconnectionAttempts(opts.reconnectionAttempts || Infinity);
      this.reconnectionDelay(opts.reconnectionDelay || 1000);
      this.reconnectionDelayMax(opts.reconnectionDelayMax || 5000);
      this.randomizationFactor(opts.randomizationFactor == null ? 0.5 : opts.randomizationFactor);
      this.timeout(opts.timeout == null ? 20000 : opts.timeout);
      this.readyState = 'closed';
      this.reconnecting = false;
      this.skipReconnect = false;
      this.decoder = new Decoder();
      this.autoConnect = opts.autoConnect !== false;
      if (this.autoConnect) this.open();
    }

    reconnection(v) {
      if (!arguments.length) return this._reconnection;
      this._reconnection = !!v;
      return this;
    }

    reconnectionAttempts(v) {
      if (!arguments.length) return this._reconnectionAttempts;
      this._reconnectionAttempts = v;
      return this;
    }

    reconnectionDelay(v) {
      if (!arguments.length) return this._reconnectionDelay;
      this._reconnectionDelay = v;
      this.backoff.min = v;
      return this;
    }

    reconnectionDelayMax(v) {
      if (!arguments.length) return this._reconnectionDelayMax;
      this._reconnectionDelayMax = v;
      this.backoff.max = v;
      return this;
    }

    randomizationFactor(v) {
      if (!arguments.length) return this._randomizationFactor;
      this._randomizationFactor = v;
      this.backoff.jitter = v > 0 && v <= 1 ? v : 0;
      return this;
    }

    timeout(v) {
      if (!arguments.length) return this._timeout;
      this._timeout = v;
      return this;
    }

    emitAll(event, ...args) {
      this._fire(event, ...args);
      for (const nsp of Object.keys(this.nsps)) this.nsps[nsp]._fire(event, ...args);
    }

    // open starts the Engine.IO connection; done(err) is called once it is
    // open or has failed (a failure without done starts reconnecting).
    open(done) {
      if (this.readyState.indexOf('open') >= 0) return this;
      const uri = this.uri;
      const query = Object.assign(queryObject(this.opts.query), queryObject(uri.query));
      const engine = this.engine = new Engine({
        secure: uri.secure,
        hostname: uri.hostname,
        port: uri.port,
        path: this.opts.path,
        query,
        transports: this.opts.transports,
        upgrade: this.opts.upgrade,
        withCredentials: this.opts.withCredentials,
      });
      this.readyState = 'opening';
      this.skipReconnect = false;

      const openSub = subscribe(engine, 'open', () => {
        this.onopen();
        if (done) done();
      });
      const errorSub = subscribe(engine, 'error', (data) => {
        this.cleanup();
        this.readyState = 'closed';
        this.emitAll('connect_error', data);
        if (done) {
          const err = new Error('Connection error');
          err.data = data;
          done(err);
        } else {
          this.maybeReconnectOnOpen();
        }
      });
      if (this._timeout !== false) {
        const timeout = this._timeout;
        if (timeout === 0) openSub.destroy();
        const timer = setTimeout(() => {
          openSub.destroy();
          engine.close();
          engine._fire('error', 'timeout');
          this.emitAll('connect_timeout', timeout);
        }, timeout);
        this.subs.push({ destroy: () => clearTimeout(timer) });
      }
      this.subs.push(openSub, errorSub);
      return this;
    }

    connect(done) {
      return this.open(done);
    }

    onopen() {
      this.cleanup();
      this.readyState = 'open';
      this._fire('open');
      const engine = this.engine;
      this.subs.push(
        subscribe(engine, 'data', (data) => this.ondata(data)),
        subscribe(engine, 'ping', () => {
          this.lastPing = Date.now();
          this.emitAll('ping');
        }),
        subscribe(engine, 'pong', () => this.emitAll('pong', Date.now() - this.lastPing)),
        subscribe(engine, 'error', (err) => this.emitAll('error', err)),
        subscribe(engine, 'close', (reason) => this.onclose(reason)),
      );
    }

    ondata(data) {
      let packet;
      try {
        packet = this.decoder.add(data);
      } catch (err) {
        // A malformed packet is dropped, as socket.io-client 2.x does.
        return;
      }
      if (packet) this._fire('packet', packet);
    }

    // socket returns the socket of namespace nsp, creating it once.
    socket(nsp, opts) {
      let socket = this.nsps[nsp];
      if (!socket) {
        socket = new Socket(this, nsp, opts);
        this.nsps[nsp] = socket;
      }
      return socket;
    }

    // destroy is called by a socket that closes; the connection closes with
    // the last one.
    destroy(socket) {
      this.connecting.delete(socket);
      if (this.connecting.size === 0) this.close();
    }

    packet(packet) {
      if (packet.query && packet.type === CONNECT) packet.nsp += '?' + packet.query;
      this.engine.write(...encodePacket(packet));
    }

    cleanup() {
      for (const sub of this.subs.splice(0)) sub.destroy();
      this.decoder.reset();
    }

    close() {
      this.skipReconnect = true;
      this.reconnecting = false;
      if (this.readyState === 'opening') this.cleanup(); // no close event will come
      this.backoff.reset();
      this.readyState = 'closed';
      if (this.engine) this.engine.close();
      return this;
    }

    disconnect() {
      return this.close();
    }

    onclose(reason) {
      this.cleanup();
      this.backoff.reset();
      this.readyState = 'closed';
      this._fire('close', reason);
      if (this._reconnection && !this.skipReconnect) this.reconnect();
    }

    maybeReconnectOnOpen() {
      if (!this.reconnecting && this._reconnection && this.backoff.attempts === 0) this.reconnect();
    }

    reconnect() {
      if (this.reconnecting || this.skipReconnect) return this;
      if (this.backoff.attempts >= this._reconnectionAttempts) {
        this.backoff.reset();
        this.emitAll('reconnect_failed');
        this.reconnecting = false;
        return this;
      }
      const delay = this.backoff.duration();
      this.reconnecting = true;
      const timer = setTimeout(() => {
        if (this.skipReconnect) return;
        this.emitAll('reconnect_attempt', this.backoff.attempts);
        this.emitAll('reconnecting', this.backoff.attempts);
        if (this.skipReconnect) return; // a handler closed it
        this.open((err) => {
          if (err) {
            this.reconnecting = false;
            this.reconnect();
            this.emitAll('reconnect_error', err.data);
          } else {
            const attempts = this.backoff.attempts;
            this.reconnecting = false;
            this.backoff.reset();
            this.emitAll('reconnect', attempts);
          }
        });
      }, delay);
      this.subs.push({ destroy: () => clearTimeout(timer) });
      return this;
    }
  }

  // --------------------------------------------------------------- Socket

  // Events that Socket.emit fires locally instead of sending them.
  const RESERVED_EVENTS = new Set([
    'connect', 'connect_error', 'connect_timeout', 'connecting', 'disconnect', 'error',
    'reconnect', 'reconnect_attempt', 'reconnect_failed', 'reconnect_error', 'reconnecting',
    'ping', 'pong',
  ]);

  // Socket is the client side of one namespace. emit() sends an event (a
  // function as last argument asks for an ack); events sent while
  // disconnected are kept and sent on (re)connection.
  class Socket extends Emitter {
    constructor(io, nsp, opts) {
      super();
      this.io = io;
      this.nsp = nsp;
      this.json = this;
      this.ids = 0;
      this.acks = {};
      this.receiveBuffer = [];
      this.sendBuffer = [];
      this.connected = false;
      this.disconnected = true;
      this.flags = {};
      this.subs = null;
      if (opts && opts.query) this.query = opts.query;
      if (io.autoConnect) this.open();
    }

    open() {
      if (this.connected) return this;
      if (!this.subs) {
        this.subs = [
          subscribe(this.io, 'open', () => this.onopen()),
          subscribe(this.io, 'packet', (p) => this.onpacket(p)),
          subscribe(this.io, 'close', (reason) => this.onclose(reason)),
        ];
      }
      this.io.connecting.add(this);
      if (!this.io.reconnecting) this.io.open();
      if (this.io.readyState === 'open') this.onopen();
      this._fire('connecting');
      return this;
    }

    connect() {
      return this.open();
    }

    send(...args) {
      return this.emit('message', ...args);
    }

    emit(event, ...args) {
      if (RESERVED_EVENTS.has(event)) return this._fire(event, ...args);
      const data = [event, ...args];
      const binary = this.flags.binary !== undefined ? this.flags.binary : hasBinary(data);
      const packet = { type: binary ? BINARY_EVENT : EVENT, data };
      if (typeof data[data.length - 1] === 'function') {
        packet.id = this.ids++;
        this.acks[packet.id] = data.pop();
      }
      if (this.connected) this.packet(packet);
      else this.sendBuffer.push(packet);
      this.flags = {};
      return this;
    }

    packet(packet) {
      packet.nsp = this.nsp;
      this.io.packet(packet);
    }

    onopen() {
      // The server connects "/" by itself; other namespaces ask.
      if (this.nsp !== '/') {
        const query = this.query;
        if (query) this.packet({ type: CONNECT, query: typeof query === 'object' ? encodeQuery(query) : query });
        else this.packet({ type: CONNECT });
      }
    }

    onclose(reason) {
      const wasConnected = this.connected;
      this.connected = false;
      this.disconnected = true;
      delete this.id;
      if (wasConnected) this._fire('disconnect', reason);
    }

    onpacket(packet) {
      // An ERROR for "/" concerns the whole connection, so every socket.
      const mine = packet.nsp === this.nsp || (packet.type === ERROR && packet.nsp === '/');
      if (!mine) return;
      switch (packet.type) {
        case CONNECT:
          this.onconnect();
          break;
        case EVENT:
        case BINARY_EVENT:
          this.onevent(packet);
          break;
        case ACK:
        case BINARY_ACK:
          this.onack(packet);
          break;
        case DISCONNECT:
          this.ondisconnect();
          break;
        case ERROR:
          this._fire('error', packet.data);
          break;
      }
    }

    onevent(packet) {
      const args = packet.data || [];
      if (packet.id !== undefined) args.push(this.ack(packet.id));
      if (this.connected) this._fire(...args);
      else this.receiveBuffer.push(args);
    }

    // ack returns the function that answers the server's event id, once.
    ack(id) {
      let sent = false;
      return (...args) => {
        if (sent) return;
        sent = true;
        this.packet({ type: hasBinary(args) ? BINARY_ACK : ACK, id, data: args });
      };
    }

    onack(packet) {
      const fn = this.acks[packet.id];
      if (typeof fn !== 'function') return;
      delete this.acks[packet.id];
      try {
        fn.apply(this, packet.data);
      } catch (err) {
        reportError(err);
      }
    }

    onconnect() {
      this.connected = true;
      this.disconnected = false;
      this.id = this.nsp === '/' ? this.io.engine.id : this.nsp + '#' + this.io.engine.id;
      for (const args of this.receiveBuffer.splice(0)) this._fire(...args);
      for (const packet of this.sendBuffer.splice(0)) this.packet(packet);
      this._fire('connect');
    }

    ondisconnect() {
      this.destroy();
      this.onclose('io server disconnect');
    }

    destroy() {
      if (this.subs) {
        for (const sub of this.subs) sub.destroy();
        this.subs = null;
      }
      this.io.destroy(this);
    }

    close() {
      if (this.connected) this.packet({ type: DISCONNECT });
      this.destroy();
      if (this.connected) this.onclose('io client disconnect');
      return this;
    }

    disconnect() {
      return this.close();
    }

    // compress is accepted for compatibility; the runtime does not compress.
    compress() {
      return this;
    }

    // binary forces (true) or forbids (false) the binary packet type for the
    // next emit instead of looking for binary values.
    binary(binary) {
      this.flags.binary = binary;
      return this;
    }
  }

  // ------------------------------------------------------------------- io

  // parseURL resolves io()'s url against the page: undefined is the page's
  // origin, "/admin" the namespace /admin on it, "//host" and "host:port"
  // take the page's scheme.
  function parseURL(uri) {
    const loc = typeof location !== 'undefined' ? location : null;
    if (uri == null) uri = loc.protocol + '//' + loc.host;
    if (uri.indexOf('//') === 0) uri = loc.protocol + uri;
    else if (uri.charAt(0) === '/') uri = loc.protocol + '//' + loc.host + uri;
    else if (!/^(https?|wss?):\/\//i.test(uri)) uri = (loc ? loc.protocol : 'https:') + '//' + uri;
    const u = new URL(uri);
    const protocol = u.protocol.slice(0, -1).toLowerCase();
    const secure = protocol === 'https' || protocol === 'wss';
    const port = u.port || (secure ? '443' : '80');
    return {
      source: uri,
      secure,
      hostname: u.hostname,
      port,
      path: u.pathname || '/',
      query: u.search.slice(1),
      id: protocol + '://' + u.hostname + ':' + port,
    };
  }

  function queryObject(q) {
    if (!q) return {};
    if (typeof q === 'object') return Object.assign({}, q);
    const out = {};
    new URLSearchParams(q).forEach((v, k) => { out[k] = v; });
    return out;
  }

  const managers = {};

  // io returns the socket of the url's namespace. Sockets of one origin
  // share one connection (Manager) unless forceNew or multiplex: false, or
  // the namespace already has a socket on it.
  function io(uri, opts) {
    if (uri && typeof uri === 'object') {
      opts = uri;
      uri = undefined;
    }
    opts = opts || {};
    const parsed = parseURL(uri);
    const cached = managers[parsed.id];
    const fresh = opts.forceNew || opts['force new connection'] || opts.multiplex === false ||
      (cached && parsed.path in cached.nsps);
    let manager;
    if (fresh) {
      manager = new Manager(parsed, opts);
    } else {
      if (!cached) managers[parsed.id] = new Manager(parsed, opts);
      manager = managers[parsed.id];
    }
    if (parsed.query && !opts.query) opts.query = parsed.query;
    return manager.socket(parsed.path, opts);
  }

  io.connect = io;
  io.protocol = 4;
  io.managers = managers;
  io.Manager = Manager;
  io.Socket = Socket;
  io.client = 'siogen';

  root.io = io;
})(typeof self !== 'undefined' ? self : this);
