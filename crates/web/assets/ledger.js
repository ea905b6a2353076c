// shoumi evidence pages: hash the chosen file in this browser (SHA-256 and SM3, GB/T 32905)
// and fill in the digest fields. The file itself is never sent. Works over plain HTTP too
// (WebCrypto is only available in secure contexts, so both hashes are implemented here).
"use strict";
(function () {
  function rotl(x, n) { return (x << n) | (x >>> (32 - n)); }
  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // A Merkle–Damgård hash over 64-byte blocks with a big-endian 64-bit bit length.
  function Hasher(init, compress) {
    this.h = init.slice(); this.compress = compress;
    this.buf = new Uint8Array(64); this.n = 0; this.len = 0;
    this.w = new Int32Array(68); this.w1 = new Int32Array(64);
  }
  Hasher.prototype.update = function (data) {
    var i = 0;
    this.len += data.length;
    if (this.n > 0) {
      while (this.n < 64 && i < data.length) { this.buf[this.n++] = data[i++]; }
      if (this.n < 64) { return; }
      this.compress(this, this.buf, 0); this.n = 0;
    }
    for (; i + 64 <= data.length; i += 64) { this.compress(this, data, i); }
    while (i < data.length) { this.buf[this.n++] = data[i++]; }
  };
  Hasher.prototype.digest = function () {
    var bits = this.len * 8, pad = new Uint8Array(((this.n + 9 + 63) >> 6) * 64 - this.n);
    pad[0] = 0x80;
    var hi = Math.floor(bits / 0x100000000), lo = bits >>> 0, k = pad.length;
    pad[k - 8] = hi >>> 24; pad[k - 7] = hi >>> 16; pad[k - 6] = hi >>> 8; pad[k - 5] = hi;
    pad[k - 4] = lo >>> 24; pad[k - 3] = lo >>> 16; pad[k - 2] = lo >>> 8; pad[k - 1] = lo;
    this.len -= pad.length; this.update(pad);
    var out = "";
    for (var j = 0; j < 8; j++) { out += ("00000000" + (this.h[j] >>> 0).toString(16)).slice(-8); }
    return out;
  };
  function word(b, o) { return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]; }

  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  function sha256Block(s, b, o) {
    var w = s.w, h = s.h, i, t1, t2;
    for (i = 0; i < 16; i++) { w[i] = word(b, o + 4 * i); }
    for (i = 16; i < 64; i++) {
      var x = w[i - 15], y = w[i - 2];
      w[i] = (w[i - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + w[i - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10))) | 0;
    }
    var a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
      t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + bb) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
  function sha256() {
    return new Hasher([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19], sha256Block);
  }

  function p0(x) { return x ^ rotl(x, 9) ^ rotl(x, 17); }
  function p1(x) { return x ^ rotl(x, 15) ^ rotl(x, 23); }
  function sm3Block(s, b, o) {
    var w = s.w, w1 = s.w1, h = s.h, j;
    for (j = 0; j < 16; j++) { w[j] = word(b, o + 4 * j); }
    for (j = 16; j < 68; j++) { w[j] = p1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)) ^ rotl(w[j - 13], 7) ^ w[j - 6]; }
    for (j = 0; j < 64; j++) { w1[j] = w[j] ^ w[j + 4]; }
    var a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (j = 0; j < 64; j++) {
      var t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
      var ss1 = rotl((rotl(a, 12) + e + rotl(t, j % 32)) | 0, 7);
      var ss2 = ss1 ^ rotl(a, 12);
      var ff = j < 16 ? (a ^ bb ^ c) : ((a & bb) | (a & c) | (bb & c));
      var gg = j < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g));
      var tt1 = (ff + d + ss2 + w1[j]) | 0, tt2 = (gg + hh + ss1 + w[j]) | 0;
      d = c; c = rotl(bb, 9); bb = a; a = tt1; hh = g; g = rotl(f, 19); f = e; e = p0(tt2);
    }
    h[0] ^= a; h[1] ^= bb; h[2] ^= c; h[3] ^= d; h[4] ^= e; h[5] ^= f; h[6] ^= g; h[7] ^= hh;
  }
  function sm3() {
    return new Hasher([0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e], sm3Block);
  }
  window.shoumiHash = { sha256: sha256, sm3: sm3 };

  var en = document.documentElement.lang === "en";
  document.querySelectorAll("[data-hash-form]").forEach(function (form) {
    var input = form.querySelector("[data-hash-file]");
    var status = form.querySelector("#hash-status");
    if (!input) { return; }
    var generation = 0;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      // A newer choice stops the hashing of an older one (its digests must never win).
      var mine = ++generation;
      if (!file) { return; }
      var a = sha256(), b = sm3(), off = 0, CHUNK = 4 << 20;
      var submit = form.querySelector("button[type=submit]");
      if (submit) { submit.disabled = true; }
      function failed() {
        if (mine !== generation) { return; }
        if (status) { status.textContent = en ? "The file could not be read; choose it again." : "无法读取该文件，请重新选择。"; }
        if (submit) { submit.disabled = false; }
      }
      function step() {
        if (mine !== generation) { return; }
        if (off >= file.size) {
          form.querySelector("#sha256").value = a.digest();
          form.querySelector("#sm3").value = b.digest();
          var n = form.querySelector("#file_name"), z = form.querySelector("#file_size");
          if (n) { n.value = file.name; }
          if (z) { z.value = String(file.size); }
          var t = form.querySelector("#title");
          if (t && !t.value) { t.value = file.name; }
          if (status) {
            var msg = en ? "Hashed in this browser: nothing was uploaded." : "已在本机计算摘要，文件未上传。";
            // A very short file's digest could be found by guessing its content (the log is public).
            if (file.size < 64 && form.id === "register-form") {
              msg += en ? " This file is very short: its content could be guessed from the public digest; add random text to it, or register a longer document."
                        : " 该文件很短，其内容可能被人通过公开的摘要猜出：请在文件中加入一段随机文字，或登记更完整的文件。";
            }
            status.textContent = msg;
          }
          if (submit) { submit.disabled = false; }
          return;
        }
        file.slice(off, off + CHUNK).arrayBuffer().then(function (buf) {
          if (mine !== generation) { return; }
          var u = new Uint8Array(buf);
          a.update(u); b.update(u); off += u.length;
          if (status) { status.textContent = (en ? "Hashing… " : "正在计算摘要… ") + Math.floor(100 * off / Math.max(1, file.size)) + "%"; }
          step();
        }, failed);
      }
      step();
    });
  });
})();
