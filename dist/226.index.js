export const id = 226;
export const ids = [226];
export const modules = {

/***/ 43951:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   RT: () => (/* binding */ describeOverBudget),
/* harmony export */   qj: () => (/* binding */ overBudget),
/* harmony export */   sv: () => (/* binding */ OverSizeError)
/* harmony export */ });
/* unused harmony export overFileSize */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83916);
/* harmony import */ var _domain_formats_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76892);
/* harmony import */ var _units_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(61996);
/**
 * The budgets of a publishing gate (`max-gaussians`, `max-triangles`, `max-file-size`), checked against every
 * delivered file after verification. Pure: a file's figures in, the reason it is over out.
 * A file exactly at a limit is within it.
 */



/**
 * Why the file is over a budget, e.g. `5,120,000 splats, over 'max-gaussians' of 4,000,000`;
 * every reason, joined by `; `, when it is over several; undefined when it is within every budget.
 */
function overBudget(file, budgets) {
    const reasons = [];
    const { maxGaussians, maxTriangles, maxFileSizeBytes } = budgets;
    if (maxGaussians !== undefined && file.gaussians !== undefined && file.gaussians > maxGaussians) {
        reasons.push(`${count(file.gaussians)} splats, over 'max-gaussians' of ${count(maxGaussians)}`);
    }
    if (maxTriangles !== undefined && file.triangles !== undefined && file.triangles > maxTriangles) {
        reasons.push(`${count(file.triangles)} triangles, over 'max-triangles' of ${count(maxTriangles)}`);
    }
    if (maxFileSizeBytes !== undefined && file.bytes > maxFileSizeBytes) {
        reasons.push(overFileSize(file.bytes, maxFileSizeBytes));
    }
    return reasons.length > 0 ? reasons.join('; ') : undefined;
}
/** `244 KiB (250,000 bytes), over 'max-file-size' of 1.0 KiB (1,024 bytes)` */
function overFileSize(bytes, maxBytes, received = false) {
    const what = received ? `more than ${size(maxBytes)} received` : size(bytes);
    return `${what}, over 'max-file-size' of ${size(maxBytes)}`;
}
/**
 * A download stopped as soon as its length (`announced`: Content-Length or Content-Range), or the
 * bytes received, passed `max-file-size`: nothing more is fetched, kept or cached.
 */
class OverSizeError extends Error {
    bytes;
    maxBytes;
    how;
    name = 'OverSizeError';
    constructor(bytes, maxBytes, how) {
        super(overFileSize(bytes, maxBytes, how === 'received'));
        this.bytes = bytes;
        this.maxBytes = maxBytes;
        this.how = how;
    }
}
/** The sentence that fails the step: `Task T1, SPZ: <reason>.` */
function describeOverBudget(taskId, format, reason) {
    return (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .sentence */ .em)(`Task ${taskId}, ${(0,_domain_formats_js__WEBPACK_IMPORTED_MODULE_1__/* .formatLabel */ .wR)(format)}: ${reason}`);
}
function count(value) {
    return value.toLocaleString('en-US');
}
// Rounded for reading, exact for comparing: `150,000,000` bytes shows as 143 MiB.
function size(bytes) {
    return `${(0,_units_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(bytes)} (${count(bytes)} bytes)`;
}


/***/ }),

/***/ 93226:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  nV: () => (/* binding */ DownloadError),
  PE: () => (/* binding */ downloadFile),
  downloadsDeadline: () => (/* binding */ downloadsDeadline),
  CJ: () => (/* binding */ isExpiredLink)
});

// UNUSED EXPORTS: DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PROGRESS_EVERY_MS, DEFAULT_TIME_LIMIT_MS, DOWNLOAD_GRACE_MS, DOWNLOAD_RETRY

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/net/retry.ts
var retry = __webpack_require__(37893);
// EXTERNAL MODULE: ./src/net/url-policy.ts
var url_policy = __webpack_require__(1785);
// EXTERNAL MODULE: ./src/runtime.ts + 1 modules
var runtime = __webpack_require__(72574);
// EXTERNAL MODULE: ./src/units.ts
var units = __webpack_require__(61996);
// EXTERNAL MODULE: ./src/assets/budgets.ts
var budgets = __webpack_require__(43951);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
;// CONCATENATED MODULE: ./src/assets/file-sink.ts
/**
 * The end of a download's pipeline: a `stream.Writable` that writes a new file and computes its
 * SHA-256 on the way, in one pass over the bytes.
 *
 * The chunks Node's HTTP client hands over are written as they are, no copy: `_writev` queues
 * whatever the stream has gathered as one positioned write (libuv's thread pool) and hashes it
 * here while the pool writes, then holds its callback until the write is done. Meanwhile the
 * Writable keeps at most its high-water mark and the pipeline pauses the socket, so memory stays
 * flat whatever the file size.
 *
 * Measured side by side on 1 GiB from the loopback simulator (bench/download.ts), against the
 * earlier design of four 2 MiB buffers filled by copying: that one spent up to twice the kernel
 * time (large writes into the page cache cost more here than small ones) and 10 MB more memory;
 * hashing those buffers on a worker thread was no faster (best 1.57 s either way) and cost 25%
 * more CPU. So: no buffers of our own, no worker, no forced GC.
 */




/** The file could not be created or written: another try would meet the same disk. */
class FileWriteError extends Error {
    filePath;
    name = 'FileWriteError';
    constructor(filePath, error) {
        super(`cannot write ${filePath}: ${(0,errors/* errorMessage */.gJ)(error)}`, { cause: error });
        this.filePath = filePath;
    }
}
/**
 * Creates `filePath` (which must not exist yet), or continues a partial one (`start`), and writes
 * every chunk to it. After 'finish', `result` holds the byte count and SHA-256 of the whole file.
 * On an error or destroy the file is closed, not removed: the caller owns the name, and
 * `position` says how many bytes the file holds, each of them hashed.
 */
class FileSink extends external_node_stream_.Writable {
    filePath;
    /** Set once the stream has finished. */
    result;
    file;
    hash;
    /** Bytes handed to the file so far (written once the stream has closed). */
    position;
    flags;
    constructor(filePath, start) {
        // The default high-water mark (16 KiB): larger batches made larger writes, and cost more.
        super();
        this.filePath = filePath;
        this.hash = start?.hash ?? (0,external_node_crypto_.createHash)('sha256');
        this.position = start?.position ?? 0;
        this.flags = start?.flags ?? 'wx';
    }
    _construct(callback) {
        (0,promises_.open)(this.filePath, this.flags).then(file => {
            this.file = file;
            callback();
        }, (error) => callback(new FileWriteError(this.filePath, error)));
    }
    _write(chunk, _encoding, callback) {
        this.writeChunks([chunk], callback);
    }
    _writev(entries, callback) {
        this.writeChunks(entries.map(entry => entry.chunk), callback);
    }
    _final(callback) {
        this.closeFile().then(() => {
            this.result = { bytes: this.position, sha256: this.hash.digest('hex') };
            callback();
        }, (error) => callback(new FileWriteError(this.filePath, error)));
    }
    _destroy(error, callback) {
        // FileHandle.close waits for the write in flight, so the descriptor is never reused under it.
        this.closeFile().then(() => callback(error), () => callback(error));
    }
    writeChunks(chunks, callback) {
        const position = this.position;
        for (const chunk of chunks)
            this.position += chunk.length;
        // Queued first: the pool writes while this thread hashes; both only read the chunks.
        const written = writeAll(this.file, chunks, position, this.position - position);
        for (const chunk of chunks)
            this.hash.update(chunk);
        written.then(() => callback(), (error) => callback(new FileWriteError(this.filePath, error)));
    }
    async closeFile() {
        const file = this.file;
        this.file = undefined;
        await file?.close();
    }
}
async function writeAll(file, chunks, position, length) {
    const { bytesWritten } = await file.writev(chunks, position);
    if (bytesWritten === length)
        return;
    // A short write (rare: a full disk reports it on the next one): the rest, as one buffer.
    const rest = Buffer.concat(chunks).subarray(bytesWritten);
    for (let offset = 0; offset < rest.length;) {
        const written = await file.write(rest, offset, rest.length - offset, position + bytesWritten + offset);
        offset += written.bytesWritten;
    }
}

// EXTERNAL MODULE: ./src/net/http.ts + 4 modules
var http = __webpack_require__(42462);
;// CONCATENATED MODULE: ./src/assets/http-get.ts



/** No retry could help: a 404, a refused redirect, too many redirects. */
class RefusedError extends Error {
    expired;
    name = 'RefusedError';
    constructor(message, 
    /**
     * The signed link has expired (a 403 or 400 whose answer says the request or signature
     * expired): the service can give a fresh one.
     */
    expired = false) {
        super(message);
        this.expired = expired;
    }
}
/** `Request has expired`, `Signature expired`, `SignatureExpired`, `token expired`, … */
const EXPIRED = /expire/i;
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const EXCERPT_CHARS = 160;
async function getAsset(start, options) {
    let url = start;
    for (let hops = 0;; hops++) {
        let response;
        try {
            response = await (0,http/* sendRequest */.w$)({
                method: 'GET',
                url,
                // The size check needs the bytes as stored, not a transfer encoding of them.
                headers: { ...options.headers, 'Accept-Encoding': 'identity' },
                signal: options.signal,
                timeoutMs: options.timeoutMs,
                idleTimeoutMs: options.idleTimeoutMs
            });
        }
        catch (error) {
            if (error instanceof http/* NetworkError */.Dr) {
                throw new retry/* Fault */.vC(`network error: ${error.message}`, error.kind, undefined, { cause: error });
            }
            throw error;
        }
        const { status, headers, body } = response;
        if (status === 200 || (status === 206 && options.headers?.Range !== undefined))
            return response;
        // A range the server cannot serve: the caller starts the file over.
        if (status === 416 && options.headers?.Range !== undefined)
            return response;
        if (REDIRECT_STATUSES.has(status)) {
            body.resume();
            if (hops >= MAX_REDIRECTS)
                throw new RefusedError(`more than ${MAX_REDIRECTS} redirects`);
            const target = (0,url_policy/* redirectTarget */.ET)(url, headers.location, options.allowInsecureHosts, options.allowPrivateHosts);
            if ('refusal' in target)
                throw new RefusedError(`HTTP ${status}: ${target.refusal}`);
            options.onRedirect?.(status, target.next);
            url = target.next;
            continue;
        }
        if (status === 408 || status === 429 || status >= 500) {
            body.destroy();
            const retryAfter = (0,retry/* parseRetryAfter */.mu)(headers['retry-after'], options.wallClock());
            throw new retry/* Fault */.vC(`HTTP ${status}`, `http ${status}`, retryAfter);
        }
        const excerpt = await readExcerpt(body);
        const detail = excerpt && !excerpt.startsWith(String(status)) ? ` (${excerpt})` : '';
        const expired = (status === 403 || status === 400) && EXPIRED.test(excerpt);
        const hint = status === 401 || status === 403 ? '; the signed URL may have expired' : '';
        throw new RefusedError(`HTTP ${status}${detail}${hint}`, expired);
    }
}
/** The Content-Length, when the server gave a readable one. */
function contentLength(headers) {
    const text = headers['content-length'];
    if (text === undefined || !/^\d+$/.test(text))
        return undefined;
    return Number(text);
}
/** The URL as logs show it, for a redirect. */
function shownRedirect(status, next) {
    return `HTTP ${status} to ${(0,url_policy/* redactUrl */.BO)(next)}`;
}
/** The start of an error page, in one line: often the only clue (an expired signature, a firewall). */
async function readExcerpt(body) {
    const chunks = [];
    let size = 0;
    try {
        for await (const chunk of body) {
            chunks.push(chunk);
            size += chunk.length;
            if (size >= EXCERPT_CHARS * 4)
                break;
        }
    }
    catch {
        // An excerpt is a courtesy; the status says enough.
    }
    finally {
        body.destroy();
    }
    const text = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

;// CONCATENATED MODULE: ./src/assets/ordered-hash.ts
/**
 * The SHA-256 of a file written out of order (parallel ranges), computed in order as the written
 * prefix grows. Bytes that land exactly where the digest stands are hashed from memory as they
 * land; bytes that landed ahead of it (another range's) are read back from the file, from the
 * page cache, when the digest reaches them. No second full read at the end, no buffers held.
 */

const READ_BACK_BYTES = 1024 * 1024;
class OrderedHash {
    file;
    total;
    pieceBytes;
    hash = (0,external_node_crypto_.createHash)('sha256');
    /** Bytes hashed, from 0. */
    hashed = 0;
    /** Per piece: bytes landed, contiguous from its start. */
    landed;
    reading = false;
    failure;
    buffer = Buffer.allocUnsafe(READ_BACK_BYTES);
    done;
    /** Bytes read back from the file rather than hashed as they landed. */
    readBack = 0;
    constructor(file, total, pieceBytes) {
        this.file = file;
        this.total = total;
        this.pieceBytes = pieceBytes;
        this.landed = new Array(Math.ceil(total / pieceBytes)).fill(0);
    }
    /** Bytes of piece `index` on disk, from its start: where its next request resumes. */
    landedIn(index) {
        return this.landed[index];
    }
    /** After `chunks` were written at `position`, all of them within piece `index`. */
    onLanded(index, position, chunks, length) {
        this.landed[index] += length;
        if (!this.reading && position === this.hashed) {
            for (const chunk of chunks)
                this.hash.update(chunk);
            this.hashed += length;
        }
        this.pump();
    }
    /** The digest, once every byte has landed and been hashed. */
    digest() {
        return new Promise((resolve, reject) => {
            this.done = { resolve, reject };
            this.pump();
        });
    }
    /** Hashes whatever has landed at the digest's position, reading it back, one read at a time. */
    pump() {
        if (this.reading)
            return;
        if (this.failure !== undefined)
            return void this.done?.reject(this.failure);
        if (this.hashed === this.total)
            return void this.done?.resolve(this.hash.digest('hex'));
        const piece = Math.floor(this.hashed / this.pieceBytes);
        const available = piece * this.pieceBytes + this.landed[piece];
        if (available <= this.hashed)
            return;
        this.reading = true;
        const length = Math.min(available - this.hashed, READ_BACK_BYTES);
        this.file.read(this.buffer, 0, length, this.hashed).then(({ bytesRead }) => {
            this.hash.update(this.buffer.subarray(0, bytesRead));
            this.hashed += bytesRead;
            this.readBack += bytesRead;
            if (bytesRead === 0)
                this.failure = new Error('the file ended before the bytes written');
            this.reading = false;
            this.pump();
        }, (error) => {
            this.failure = error;
            this.reading = false;
            this.pump();
        });
    }
}

;// CONCATENATED MODULE: ./src/assets/ranges.ts
/** `bytes 100-199/1000`, or undefined when absent or unreadable. */
function parseContentRange(value) {
    const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
    if (!match)
        return undefined;
    const [start, end] = [Number(match[1]), Number(match[2])];
    const total = match[3] === '*' ? undefined : Number(match[3]);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start)
        return undefined;
    if (total !== undefined && (!Number.isSafeInteger(total) || end >= total))
        return undefined;
    return { start, end, total };
}
/**
 * What `If-Range` can carry for this answer: a strong ETag (a weak one may not be used there),
 * else Last-Modified; undefined when there is neither, and resuming would be a guess.
 */
function validatorOf(headers) {
    const etag = headers.etag?.trim();
    if (etag && !etag.startsWith('W/'))
        return etag;
    return headers['last-modified']?.trim() || undefined;
}
/** Whether the answer says the server takes byte ranges for this file. */
function acceptsRanges(headers) {
    return headers['accept-ranges']?.trim().toLowerCase() === 'bytes';
}
/**
 * Why a 206 does not continue what was asked (`bytes=<from>-<to>`, `to` undefined for the rest),
 * or undefined when it does: it must start at `from`, end where asked (or at the end of the
 * file), and name the total already known.
 */
function rangeMismatch(header, asked) {
    const range = parseContentRange(header);
    const shown = header === undefined ? 'no Content-Range' : `Content-Range '${header}'`;
    const wanted = `bytes=${asked.from}-${asked.to ?? ''}`;
    if (!range)
        return `${shown} in answer to ${wanted}`;
    const total = range.total ?? asked.total;
    const end = asked.to ?? (total === undefined ? range.end : total - 1);
    if (range.start !== asked.from || range.end !== end)
        return `${shown} in answer to ${wanted}`;
    if (asked.total !== undefined && range.total !== undefined && range.total !== asked.total) {
        return `${shown}: the file is now ${range.total} bytes, not ${asked.total}`;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/assets/parallel.ts
/**
 * One large file as byte ranges over several connections at once (issue 16 point 2), for links
 * that cap each connection. The file is cut into pieces taken in order by `connections` lanes;
 * each piece is its own `Range` request, resumed on its own after a drop (the one retry helper),
 * and written in place in one file. The digest follows the written prefix (ordered-hash.ts).
 *
 * A server that refuses a range, answers with another length or another ETag, or a Content-Range
 * that does not fit, makes the whole file fall back to one connection (`RangesRefused`).
 */








/** Files from this size up are fetched as ranges; see docs/DECISIONS.md. */
const PARALLEL_FROM_BYTES = 16 * 1024 * 1024;
const DEFAULT_CONNECTIONS = 4;
/**
 * A file that comes at least this fast over its first connection gets no others: on a fast link
 * they only share the same cores and disk. Measured on 2 cores over loopback (BENCHMARKS.md),
 * 4 connections took 8 s for 1 GiB where one took 5.2 s. The extra connections start as soon as
 * a check finds the file coming slower, as over a link that caps each connection.
 */
const ONE_CONNECTION_ENOUGH_BYTES_PER_S = 64 * 1024 * 1024;
/** How often the first connection's rate is checked while it runs alone. */
const RAMP_CHECK_MS = 500;
const PROGRESS_CHECK_BYTES = 1024 * 1024;
const MIN_PIECE_BYTES = 4 * 1024 * 1024;
const MAX_PIECE_BYTES = 64 * 1024 * 1024;
/** The server does not serve this file as ranges after all: fetch it over one connection. */
class RangesRefused extends Error {
    name = 'RangesRefused';
}
/** Pieces a few per lane, so lanes finish together, and bounded both ways. */
function pieceBytesFor(total, connections) {
    const even = Math.ceil(total / (connections * 4));
    return Math.min(MAX_PIECE_BYTES, Math.max(MIN_PIECE_BYTES, even));
}
/** Fetches the file; resolves with its SHA-256, or throws RangesRefused, a Fault or a cancel. */
async function fetchParallel(job, options, deps) {
    const { total, label } = job;
    const pieceBytes = pieceBytesFor(total, job.connections);
    const pieces = Math.ceil(total / pieceBytes);
    // One failure stops every lane at once; the parent signal stops them all the same way.
    const stop = new AbortController();
    const onAbort = () => stop.abort((0,errors/* cancellationOf */.zg)(options.signal));
    if (options.signal.aborted)
        onAbort();
    else
        options.signal.addEventListener('abort', onAbort, { once: true });
    let file;
    try {
        file = await (0,promises_.open)(job.tempPath, 'w+');
    }
    catch (error) {
        job.first.body.destroy();
        options.signal.removeEventListener('abort', onAbort);
        throw new FileWriteError(job.tempPath, error);
    }
    const hasher = new OrderedHash(file, total, pieceBytes);
    const lanes = Math.min(job.connections, pieces);
    const enough = options.oneConnectionEnough ?? ONE_CONNECTION_ENOUGH_BYTES_PER_S;
    let next = 0;
    let first = job.first;
    let failure;
    let landed = 0;
    let nextCheck = PROGRESS_CHECK_BYTES;
    const began = deps.clock.now();
    let reported = began;
    const progress = (bytes) => {
        landed += bytes;
        // The clock is read once per MiB, not per chunk.
        if (landed < nextCheck)
            return;
        nextCheck = landed + PROGRESS_CHECK_BYTES;
        const now = deps.clock.now();
        if (now - reported < options.progressEveryMs)
            return;
        reported = now;
        const share = Math.floor((landed / total) * 100);
        deps.log.info(`${label}: ${(0,units/* formatBytes */.z3)(landed)} of ${(0,units/* formatBytes */.z3)(total)} (${share}%), ${(0,units/* formatRate */.CE)(landed, now - began)}`);
    };
    const fetchPiece = async (index) => {
        const start = index * pieceBytes;
        const end = Math.min(total, start + pieceBytes);
        await (0,retry/* withRetries */.LH)(async () => {
            const from = start + hasher.landedIn(index);
            if (from >= end)
                return;
            const body = await openPiece(index, from, end);
            let position = from;
            try {
                for await (const chunk of body) {
                    options.onReceived(chunk.length);
                    const part = chunk.length > end - position ? chunk.subarray(0, end - position) : chunk;
                    await writeAt(file, job.tempPath, part, position);
                    hasher.onLanded(index, position, [part], part.length);
                    progress(part.length);
                    position += part.length;
                    if (position >= end)
                        break;
                }
            }
            catch (error) {
                if (stop.signal.aborted)
                    throw stop.signal.reason;
                if (error instanceof FileWriteError)
                    throw error;
                throw new retry/* Fault */.vC(`range ${from}-${end - 1} failed after ${position - from} bytes (${(0,errors/* errorMessage */.gJ)(error)})`, 'download connection', undefined, { cause: error });
            }
            finally {
                body.destroy();
            }
            if (position < end) {
                throw new retry/* Fault */.vC(`range ${from}-${end - 1} ended after ${position - from} bytes`, 'download connection');
            }
        }, {
            clock: deps.clock,
            signal: stop.signal,
            policy: options.policy,
            onRetry: (fault, attempt, delay) => deps.log.warning(`${label}: ${fault.message}; range attempt ${attempt - 1} of ${options.policy.maxAttempts}, trying again in ${(0,units/* formatDuration */.a3)(delay)}.`)
        });
    };
    const openPiece = async (index, from, end) => {
        if (index === 0 && from === 0 && first) {
            const body = first.body;
            first = undefined;
            return body;
        }
        const response = await getAsset(job.url, {
            signal: stop.signal,
            idleTimeoutMs: options.idleTimeoutMs,
            timeoutMs: Math.max(1, options.limitEnds - performance.now()) + 1000,
            allowInsecureHosts: options.allowInsecureHosts,
            allowPrivateHosts: options.allowPrivateHosts,
            headers: { Range: `bytes=${from}-${end - 1}`, 'If-Range': job.validator },
            wallClock: deps.clock.wallClock,
            onRedirect: (status, target) => deps.log.debug(`${label}: ${shownRedirect(status, target)}`)
        });
        const why = refusal(response, from, end);
        if (why) {
            response.body.destroy();
            throw new RangesRefused(why);
        }
        return response.body;
    };
    const refusal = (response, from, end) => {
        if (response.status === 200)
            return 'the server answered a range with the whole file';
        if (response.status !== 206)
            return `the server answered a range with HTTP ${response.status}`;
        const validator = validatorOf(response.headers);
        if (validator !== undefined && validator !== job.validator) {
            return `the file changed on the server (${validator}, was ${job.validator})`;
        }
        return rangeMismatch(response.headers['content-range'], { from, to: end - 1, total });
    };
    const lane = async () => {
        while (!failure && next < pieces) {
            const index = next++;
            try {
                await fetchPiece(index);
            }
            catch (error) {
                failure ??= { error };
                stop.abort(error);
            }
        }
    };
    // The first connection runs alone while it is fast enough; the others join once it is not.
    const others = [];
    const startOthers = (why) => {
        deps.log.info(`${label}: ${lanes} connections, ${pieces} ranges${why}`);
        for (let i = 1; i < lanes; i++)
            others.push(lane());
    };
    // The link's own rate, on the real timers whatever clock the step runs on.
    const rampBegan = performance.now();
    let rampTimer;
    const cancelCheck = () => clearTimeout(rampTimer);
    const check = () => {
        if (failure || next >= pieces)
            return;
        const elapsedMs = performance.now() - rampBegan;
        if ((landed * 1000) / elapsedMs < enough) {
            startOthers(` (one connection brought ${(0,units/* formatRate */.CE)(landed, elapsedMs)})`);
        }
        else
            rampTimer = setTimeout(check, RAMP_CHECK_MS).unref();
    };
    const firstLane = lane();
    if (lanes > 1 && enough === Infinity)
        startOthers('');
    else if (lanes > 1)
        rampTimer = setTimeout(check, RAMP_CHECK_MS).unref();
    try {
        await firstLane;
        cancelCheck();
        await Promise.all(others);
        first?.body.destroy();
        if (options.signal.aborted)
            throw (0,errors/* cancellationOf */.zg)(options.signal);
        if (failure)
            throw failure.error;
        const sha256 = await hasher.digest();
        deps.log.debug(`${label}: ${hasher.readBack} bytes hashed from the file, the rest as they landed`);
        return sha256;
    }
    finally {
        cancelCheck();
        first?.body.destroy();
        options.signal.removeEventListener('abort', onAbort);
        await file.close();
    }
}
async function writeAt(file, filePath, chunk, position) {
    try {
        for (let offset = 0; offset < chunk.length;) {
            const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset, position + offset);
            offset += bytesWritten;
        }
    }
    catch (error) {
        throw new FileWriteError(filePath, error);
    }
}

;// CONCATENATED MODULE: ./src/assets/fetch-once.ts
/**
 * One try of a download: the GET (http-get.ts), then the body piped into a hashing file sink,
 * with progress lines and the size checked against Content-Length and `max-file-size`. A try
 * after a drop asks for the rest (`Range`, `If-Range`) and appends; it starts from byte 0 again,
 * saying why, when the answer does not continue the file. A failure another try may mend is a
 * `Fault`; the caller keeps the partial file for the next try, and removes it at the end.
 */











const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_PROGRESS_EVERY_MS = 5000;
const fetch_once_PROGRESS_CHECK_BYTES = 1024 * 1024;
function emptyPartial() {
    return { bytes: 0, hash: (0,external_node_crypto_.createHash)('sha256'), ranges: false, received: 0 };
}
/** One try: GET, then the body piped into the sink. Throws a Fault when another try may help. */
async function fetchOnce(url, tempPath, label, partial, options, deps) {
    const { signal, idleTimeoutMs } = options;
    const { clock, log } = deps;
    const began = clock.now();
    const restart = (why) => {
        log.info(`${label}: starting from byte 0 again: ${why}`);
        Object.assign(partial, emptyPartial(), { received: partial.received });
    };
    if (partial.bytes > 0 && (!partial.validator || !partial.ranges)) {
        restart(partial.validator
            ? 'the server did not say it serves byte ranges'
            : 'the server gave neither an ETag nor Last-Modified to resume against');
    }
    let response = await request(url, partial, label, options, deps);
    if (partial.bytes > 0) {
        const why = resumeRefusal(response, partial);
        if (why) {
            restart(why);
            // A 200 is the whole file, from byte 0: it serves as it is. Another answer is asked again.
            if (response.status !== 200) {
                response.body.destroy();
                response = await request(url, partial, label, options, deps);
            }
        }
    }
    const fresh = partial.bytes === 0;
    adopt(response, partial, options.maxBytes);
    if (fresh && splits(response, partial, options)) {
        const outcome = await viaRanges(url, tempPath, label, partial, response, options, deps);
        if (!('body' in outcome))
            return { ...outcome, ms: clock.now() - began };
        response = outcome;
    }
    const expected = partial.total;
    const body = response.body;
    const sink = new FileSink(tempPath, {
        position: partial.bytes,
        hash: partial.hash,
        flags: fresh ? 'w' : 'r+'
    });
    // src/net/http.ts ends a silent socket after idleTimeoutMs; the body then only sees an abort.
    const socket = body.socket ?? undefined;
    let silent = false;
    const onSilence = () => {
        silent = true;
    };
    socket?.on('timeout', onSilence);
    const every = options.progressEveryMs;
    const from = partial.bytes;
    let received = from;
    let reported = began;
    let nextCheck = from + fetch_once_PROGRESS_CHECK_BYTES;
    let overSize;
    // Piped first, so that the counting listener below cannot start the flow before the sink is on.
    const piped = (0,external_node_stream_promises_.pipeline)(body, sink, { signal });
    body.on('data', (chunk) => {
        received += chunk.length;
        partial.received += chunk.length;
        if (options.maxBytes !== undefined && received > options.maxBytes && !overSize) {
            overSize = new budgets/* OverSizeError */.sv(received, options.maxBytes, 'received');
            body.destroy(overSize);
            return;
        }
        // The clock is read once per MiB, not per 64 KiB chunk.
        if (received < nextCheck)
            return;
        nextCheck = received + fetch_once_PROGRESS_CHECK_BYTES;
        const now = clock.now();
        if (now - reported < every)
            return;
        reported = now;
        const share = expected
            ? ` of ${(0,units/* formatBytes */.z3)(expected)} (${Math.floor((received / expected) * 100)}%)`
            : '';
        log.info(`${label}: ${(0,units/* formatBytes */.z3)(received)}${share}, ${(0,units/* formatRate */.CE)(received - from, now - began)}`);
    });
    try {
        await piped;
    }
    catch (error) {
        if (signal.aborted)
            throw (0,errors/* cancellationOf */.zg)(signal);
        if (overSize)
            throw overSize;
        if (error instanceof FileWriteError)
            throw error;
        const cause = silent ? `no data for ${idleTimeoutMs} ms` : (0,errors/* errorMessage */.gJ)(error);
        const progress = expected !== undefined ? ` after ${received} of ${expected} bytes` : '';
        throw connectionFault(`the connection failed${progress} (${cause})`, error);
    }
    finally {
        socket?.removeListener('timeout', onSilence);
        // The sink closes its file once its writes have settled; only then may the file go.
        if (!sink.closed)
            await new Promise(resolve => sink.once('close', resolve));
        await keepWhatLanded(partial, sink, tempPath);
    }
    const { bytes, sha256 } = sink.result;
    if (expected !== undefined && bytes !== expected) {
        // The hash is spent; a body that ended cleanly but short is no place to resume from anyway.
        Object.assign(partial, emptyPartial(), { received: partial.received });
        throw connectionFault(`the body ended after ${bytes} of ${expected} bytes`);
    }
    return { bytes, sha256, ms: clock.now() - began };
}
/**
 * The file as parallel ranges, when lanes are free: its size and digest; or, when the server
 * turned ranges down, a new answer for the whole file over one connection (or the first answer
 * itself when no lane was free).
 */
async function viaRanges(url, tempPath, label, partial, first, options, deps) {
    const wanted = (options.connections ?? DEFAULT_CONNECTIONS) - 1;
    const extra = options.borrowConnections?.(wanted) ?? { granted: wanted, release() { } };
    const oneConnection = () => {
        Object.assign(partial, emptyPartial(), { received: partial.received, single: true });
    };
    try {
        if (extra.granted === 0)
            return first;
        const job = {
            url,
            tempPath,
            label,
            total: partial.total,
            validator: partial.validator,
            connections: 1 + extra.granted,
            first
        };
        const onReceived = (bytes) => (partial.received += bytes);
        try {
            const sha256 = await fetchParallel(job, { ...options, onReceived }, deps);
            partial.bytes = job.total;
            return { bytes: job.total, sha256 };
        }
        catch (error) {
            // After a range ran out of tries, another try of the file goes over one connection.
            if (error instanceof retry/* Fault */.vC)
                oneConnection();
            if (!(error instanceof RangesRefused))
                throw error;
            deps.log.warning(`${label}: falling back to one connection: ${error.message}`);
        }
    }
    finally {
        extra.release();
    }
    oneConnection();
    const response = await request(url, partial, label, options, deps);
    adopt(response, partial, options.maxBytes);
    return response;
}
/** Takes what a first answer says of the file (length, validator, ranges); refuses it over budget. */
function adopt(response, partial, maxBytes) {
    if (response.status !== 200 && response.status !== 206) {
        response.body.destroy();
        throw connectionFault(`HTTP ${response.status} to a request from byte 0`);
    }
    if (partial.bytes === 0) {
        partial.validator = validatorOf(response.headers);
        partial.ranges = response.status === 206 || acceptsRanges(response.headers);
        partial.total =
            response.status === 206
                ? parseContentRange(response.headers['content-range'])?.total
                : contentLength(response.headers);
    }
    const total = partial.total;
    if (maxBytes !== undefined && total !== undefined && total > maxBytes) {
        response.body.destroy();
        throw new budgets/* OverSizeError */.sv(total, maxBytes, 'announced');
    }
}
/** Whether this first answer opens the way to parallel ranges. */
function splits(response, partial, options) {
    return (response.status === 200 &&
        !partial.single &&
        partial.ranges &&
        partial.validator !== undefined &&
        partial.total !== undefined &&
        partial.total >= PARALLEL_FROM_BYTES &&
        (options.connections ?? DEFAULT_CONNECTIONS) > 1);
}
/** The GET, asking for the rest when part of the file is on disk. */
function request(url, partial, label, options, deps) {
    const resume = partial.bytes > 0 && partial.validator !== undefined;
    if (resume)
        deps.log.info(`${label}: resuming from byte ${partial.bytes}`);
    return getAsset(url, {
        signal: options.signal,
        idleTimeoutMs: options.idleTimeoutMs,
        // A backstop a second past the time limit, whose own signal ends the exchange first.
        timeoutMs: Math.max(1, options.limitEnds - performance.now()) + 1000,
        allowInsecureHosts: options.allowInsecureHosts,
        allowPrivateHosts: options.allowPrivateHosts,
        headers: resume
            ? { Range: `bytes=${partial.bytes}-`, 'If-Range': partial.validator }
            : undefined,
        wallClock: deps.clock.wallClock,
        onRedirect: (status, next) => deps.log.debug(`${label}: ${shownRedirect(status, next)}`)
    });
}
/** Why the answer to a range request does not continue the partial file; undefined when it does. */
function resumeRefusal(response, partial) {
    const { status, headers } = response;
    if (status === 200)
        return 'the server answered the range request with the whole file (HTTP 200)';
    if (status === 416)
        return 'the server could not serve the rest (HTTP 416)';
    const validator = validatorOf(headers);
    if (validator !== undefined && validator !== partial.validator) {
        return `the file changed on the server (${validator}, was ${partial.validator})`;
    }
    return rangeMismatch(headers['content-range'], { from: partial.bytes, total: partial.total });
}
/**
 * After a try, the partial file is what the sink wrote, each byte hashed; a file whose size says
 * otherwise (a write lost) is started over rather than trusted.
 */
async function keepWhatLanded(partial, sink, tempPath) {
    partial.bytes = sink.position;
    const size = await (0,promises_.stat)(tempPath).then(info => info.size, () => -1);
    if (size !== sink.position)
        Object.assign(partial, emptyPartial(), { received: partial.received });
}
function connectionFault(message, cause) {
    return new retry/* Fault */.vC(message, 'download connection', undefined, { cause });
}

;// CONCATENATED MODULE: ./src/assets/download.ts
/**
 * One asset file to disk: a temporary name, the body piped into a hashing file sink, the size
 * checked against Content-Length, the caller's verifier, then a rename to the final name. Retries
 * go through the one retry helper (src/net/retry.ts) with the download policy below.
 *
 * Not @actions/tool-cache's downloadTool (DESIGN.md §7): it follows no relative redirect, reports
 * no progress, hashes nothing and sleeps 10-20 s between tries. The request goes through
 * src/net/http.ts instead, whose agents come from the toolkit, so HTTPS_PROXY / NO_PROXY behave
 * the same.
 */













/** A file that could not be brought down whole and verified. */
class DownloadError extends Error {
    url;
    reason;
    permanent;
    attempts;
    name = 'DownloadError';
    constructor(
    /** Without its query string, which may carry a signature. */
    url, reason, 
    /** True when no retry could help (a 404, a refused URL, a file that failed verification). */
    permanent, attempts, options) {
        super(`could not download ${url}: ${reason}`, options);
        this.url = url;
        this.reason = reason;
        this.permanent = permanent;
        this.attempts = attempts;
    }
}
/** The download was refused because its signed link has expired: a fresh link may pass. */
function isExpiredLink(error) {
    return (error instanceof DownloadError && error.cause instanceof RefusedError && error.cause.expired);
}
/**
 * Between tries: full jitter from 1 s up to 30 s; a server's `Retry-After` is honoured up to
 * 2 min (a longer pause gets 2 min, and the next try counts against maxAttempts).
 */
const DOWNLOAD_RETRY = {
    floorMs: 1000,
    ceilingMs: 30_000,
    maxRetryAfterMs: 120_000,
    maxAttempts: 5
};
/** Generous for a splat file (3.6 GB at 1 MB/s), yet a stalled proxy cannot hold the step. */
const DEFAULT_TIME_LIMIT_MS = 60 * 60_000;
/**
 * The overall bound on all downloads of a step, on `clock.now()`: `timeout` after the step began,
 * plus as much again for the files of tasks that finished late, that extra at most 10 min. A host
 * that trickles can hold the step that long, no longer.
 */
function downloadsDeadline(stepStart, timeoutMs) {
    return stepStart + timeoutMs + Math.min(timeoutMs, DOWNLOAD_GRACE_MS);
}
const DOWNLOAD_GRACE_MS = 10 * 60_000;
class TimeLimitError extends Error {
}
/**
 * Downloads one file to `request.destination`: nothing appears there unless it arrived whole and
 * `verify` accepted it; the temporary file is removed on every failure and on cancellation.
 * Throws DownloadError, or the signal's reason when cancelled.
 */
async function downloadFile(request, options, deps) {
    const { clock, log } = deps;
    const shownUrl = (0,url_policy/* redactUrl */.BO)(request.url);
    let url;
    try {
        url = new URL(request.url);
    }
    catch {
        throw new DownloadError(shownUrl, 'not a valid URL', true, 0);
    }
    const refusal = (0,url_policy/* refuseUrl */._5)(url, options.allowInsecureHosts, options.allowPrivateHosts);
    if (refusal)
        throw new DownloadError(shownUrl, refusal, true, 0);
    if (options.signal?.aborted)
        throw (0,errors/* cancellationOf */.zg)(options.signal);
    const folder = external_node_path_.dirname(request.destination);
    try {
        await (0,promises_.mkdir)(folder, { recursive: true });
    }
    catch (error) {
        throw new DownloadError(shownUrl, `cannot create ${folder}: ${(0,errors/* errorMessage */.gJ)(error)}`, true, 0, {
            cause: error
        });
    }
    const ownLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    const overallLeft = options.deadline === undefined ? Infinity : options.deadline - clock.now();
    const overall = overallLeft < ownLimitMs;
    const timeLimitMs = Math.max(0, Math.min(ownLimitMs, overallLeft));
    const limit = (0,runtime/* boundedSignal */.gm)(options.signal, timeLimitMs, () => new TimeLimitError());
    const limitEnds = performance.now() + timeLimitMs;
    const policy = { ...(options.policy ?? DOWNLOAD_RETRY) };
    if (options.maxAttempts !== undefined)
        policy.maxAttempts = Math.max(1, options.maxAttempts);
    const started = clock.now();
    let attempts = 0;
    // One temporary file for every try: a try after a drop appends the rest to it.
    const tempPath = external_node_path_.join(folder, `.${external_node_path_.basename(request.destination)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.part`);
    const partial = emptyPartial();
    log.info(`${request.label}: downloading ${shownUrl}`);
    try {
        const fetched = await (0,retry/* withRetries */.LH)(async (attempt) => {
            attempts = attempt;
            const attemptOptions = {
                signal: limit.signal,
                limitEnds,
                idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
                progressEveryMs: options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS,
                allowInsecureHosts: options.allowInsecureHosts,
                allowPrivateHosts: options.allowPrivateHosts,
                maxBytes: options.maxBytes,
                connections: options.connections,
                borrowConnections: options.borrowConnections,
                oneConnectionEnough: options.oneConnectionEnough,
                policy
            };
            return fetchOnce(url, tempPath, request.label, partial, attemptOptions, deps);
        }, {
            clock,
            signal: limit.signal,
            policy,
            onRetry: (fault, next, delay) => log.warning(`${request.label}: ${fault.message.replace(/\.$/, '')}; attempt ${next - 1} of ${policy.maxAttempts}, trying again in ${(0,units/* formatDuration */.a3)(delay)}.`)
        });
        try {
            if (options.verify)
                await (0,runtime/* untilAborted */.Eu)(options.verify(tempPath, limit.signal), limit.signal);
            if (limit.signal.aborted)
                throw (0,errors/* cancellationOf */.zg)(limit.signal);
        }
        catch (error) {
            await (0,promises_.rm)(tempPath, { force: true });
            if (limit.signal.aborted)
                throw error;
            throw new DownloadError(shownUrl, (0,errors/* errorMessage */.gJ)(error), true, attempts, { cause: error });
        }
        try {
            await (0,promises_.rename)(tempPath, request.destination);
        }
        catch (error) {
            await (0,promises_.rm)(tempPath, { force: true });
            const reason = `cannot rename the download to ${request.destination}: ${(0,errors/* errorMessage */.gJ)(error)}`;
            throw new DownloadError(shownUrl, reason, true, attempts, { cause: error });
        }
        const ms = clock.now() - started;
        log.info(`${request.label}: ${(0,units/* formatBytes */.z3)(fetched.bytes)} in ${(0,units/* formatDuration */.a3)(ms)} (${(0,units/* formatRate */.CE)(fetched.bytes, fetched.ms)}) to ${request.destination}`);
        return {
            url: shownUrl,
            destination: request.destination,
            bytes: fetched.bytes,
            sha256: fetched.sha256,
            ms,
            attempts,
            received: partial.received
        };
    }
    catch (error) {
        await (0,promises_.rm)(tempPath, { force: true });
        const shown = overall
            ? `the overall limit on downloads (${(0,units/* formatDuration */.a3)(timeLimitMs)} left when it started)`
            : (0,units/* formatDuration */.a3)(timeLimitMs);
        throw asDownloadError(error, shownUrl, attempts, options.signal, limit.signal, shown);
    }
    finally {
        limit.release();
    }
}
function asDownloadError(error, shownUrl, attempts, cancel, limited, shownLimit) {
    if (cancel?.aborted)
        return (0,errors/* cancellationOf */.zg)(cancel);
    if (error instanceof DownloadError)
        return error;
    if (limited.aborted) {
        const reason = `did not finish within ${shownLimit}`;
        return new DownloadError(shownUrl, reason, false, attempts, { cause: error });
    }
    if (error instanceof retry/* Fault */.vC) {
        const reason = attempts > 1 ? `${error.message} (after ${attempts} attempts)` : error.message;
        return new DownloadError(shownUrl, reason, false, attempts, { cause: error });
    }
    if (error instanceof RefusedError ||
        error instanceof FileWriteError ||
        error instanceof budgets/* OverSizeError */.sv) {
        return new DownloadError(shownUrl, error.message, true, attempts, { cause: error });
    }
    return error;
}


/***/ })

};

//# sourceMappingURL=226.index.js.map