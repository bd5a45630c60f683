export const id = 866;
export const ids = [866];
export const modules = {

/***/ 87866:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deliverAssets: () => (/* binding */ deliverAssets)
});

// UNUSED EXPORTS: DOWNLOAD_CONCURRENCY, planDownloads

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
;// CONCATENATED MODULE: ./src/assets/artifact.ts

/** The run already has an artifact of this name (the service answered 409 Conflict). */
class ArtifactNameClashError extends Error {
    artifactName;
    constructor(artifactName, options) {
        super(`An artifact named "${artifactName}" already exists in this workflow run, and names must be unique within a run ` +
            `(another job of a matrix, another step, or an earlier attempt may have used it). ` +
            `Give 'artifact-name' a unique value, e.g. "${artifactName}-\${{ github.run_attempt }}", ` +
            `or in a matrix job add the matrix values: "${artifactName}-\${{ matrix.os }}".`, options);
        this.artifactName = artifactName;
        this.name = 'ArtifactNameClashError';
    }
}
/** The runner did not provide what an upload needs: the step is not running as an action. */
class ArtifactEnvironmentError extends Error {
    missing;
    constructor(missing) {
        super(`Uploading an artifact needs ${missing.join(', ')} in the environment, which the runner sets for a step that ` +
            `runs the action with 'uses:'. Run it that way, or set 'upload-artifact' to false.`);
        this.missing = missing;
        this.name = 'ArtifactEnvironmentError';
    }
}
// ACTIONS_RUNTIME_TOKEN authorises the upload, ACTIONS_RESULTS_URL locates the service; the
// other two name the run whose page the artifact URL points at.
const REQUIRED_ENV = [
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_RESULTS_URL',
    'GITHUB_REPOSITORY',
    'GITHUB_RUN_ID'
];
/**
 * Uploads the files as one artifact (a ZIP of them, paths relative to rootDirectory).
 * Loads @actions/artifact only when called (dynamic import): it is most of the bundle, and
 * runs without uploads must not pay its start-up cost.
 * `env` is what the client sees as process.env for the duration of the call.
 */
async function uploadArtifact(upload, env = process.env) {
    const missing = REQUIRED_ENV.filter(name => !env[name]);
    if (missing.length > 0)
        throw new ArtifactEnvironmentError(missing);
    checkFiles(upload);
    const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(351), __webpack_require__.e(645)]).then(__webpack_require__.bind(__webpack_require__, 9645));
    const response = await withProcessEnv(env, async () => {
        try {
            return await new DefaultArtifactClient().uploadArtifact(upload.name, upload.files, upload.rootDirectory, { retentionDays: upload.retentionDays });
        }
        catch (error) {
            if (isNameConflict(error))
                throw new ArtifactNameClashError(upload.name, { cause: error });
            throw error;
        }
    });
    if (response.id === undefined) {
        throw new Error(`The artifact service gave no id for the artifact "${upload.name}".`);
    }
    return {
        id: response.id,
        url: artifactUrl(env, response.id),
        digest: response.digest ?? '',
        size: response.size ?? 0
    };
}
/** Where the run page lists the artifact; the same URL actions/upload-artifact outputs. */
function artifactUrl(env, id) {
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`;
}
// The toolkit's own check is a string prefix test (`/dl` would accept `/dl2/x`) and it would
// store such a file under a mangled name: refuse it here, naming the file.
function checkFiles({ rootDirectory, files }) {
    if (files.length === 0)
        throw new Error('There are no files to upload as an artifact.');
    for (const file of files) {
        const relative = external_node_path_.relative(rootDirectory, file);
        if (!relative || relative.startsWith('..') || external_node_path_.isAbsolute(relative)) {
            throw new Error(`Cannot upload ${file}: it is not inside ${rootDirectory}.`);
        }
    }
}
// @actions/artifact 6 has no typed error for this: its Twirp client turns any non-retryable
// status into `Failed to CreateArtifact: Received non-retryable error: Failed request: (409)
// Conflict: <msg>`. The method name and the status are the stable parts of that message.
function isNameConflict(error) {
    return error instanceof Error && /^Failed to CreateArtifact: .*\(409\)/.test(error.message);
}
// The client reads its configuration from process.env at several points of the upload, not
// once; the action runs one upload at a time, so swapping the environment for its duration is
// safe, and it lets tests give each upload its own runner environment.
async function withProcessEnv(env, work) {
    if (env === process.env)
        return work();
    const saved = { ...process.env };
    replaceProcessEnv(env);
    try {
        return await work();
    }
    finally {
        replaceProcessEnv(saved);
    }
}
function replaceProcessEnv(values) {
    for (const name of Object.keys(process.env)) {
        if (values[name] === undefined)
            delete process.env[name];
    }
    for (const [name, value] of Object.entries(values)) {
        if (value !== undefined)
            process.env[name] = value;
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: ./src/units.ts
var units = __webpack_require__(61996);
// EXTERNAL MODULE: ./src/http.ts
var http = __webpack_require__(76803);
// EXTERNAL MODULE: ./src/inputs.ts
var inputs = __webpack_require__(38422);
// EXTERNAL MODULE: ./src/retry.ts
var retry = __webpack_require__(49809);
// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(78877);
var external_node_v8_default = /*#__PURE__*/__webpack_require__.n(external_node_v8_);
// EXTERNAL MODULE: external "node:vm"
var external_node_vm_ = __webpack_require__(30714);
var external_node_vm_default = /*#__PURE__*/__webpack_require__.n(external_node_vm_);
// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(75919);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
;// CONCATENATED MODULE: ./src/assets/hashing-writer.ts
/**
 * Writes a downloaded body to a new file and hashes it with SHA-256 on the way.
 *
 * Speed: Node's HTTP client reads the socket in 64 KiB chunks on the main thread, which already
 * costs about as much as curl's whole download; so little else runs there. Chunks are copied into
 * four 2 MiB buffers; a full buffer is written by one positioned write (libuv's thread pool), then
 * moved (transferred, not copied) to a worker thread that hashes it and hands it back. Filling,
 * writing and hashing thus run at once on different buffers, and memory is the buffers whatever
 * the file size: when all are busy the socket is paused. (Shared memory would spare the moves,
 * but V8 copies into a SharedArrayBuffer byte by byte: 0.5 s per GiB on the main thread.)
 */






/**
 * The file could not be written or hashed. Another try would meet the same disk, so the
 * downloader treats it as permanent.
 */
class FileWriteError extends Error {
    name = 'FileWriteError';
    constructor(filePath, error, action = 'write') {
        super(`cannot ${action} ${filePath}: ${(0,errors/* errorMessage */.gJ)(error)}`, { cause: error });
    }
}
/**
 * Four buffers of 2 MiB: one filling, one being written, one being hashed, one spare. Measured on
 * 1 GiB (bench/download.ts): more or larger buffers cost RSS and were not faster.
 */
const BUFFER_BYTES = 2 * 1024 * 1024;
const BUFFER_COUNT = 4;
/** Between young-generation GCs (see collectGarbage); at 8 MiB one download's RSS passed 100 MB. */
const GARBAGE_EVERY_BYTES = 2 * 1024 * 1024;
/** Below this, a worker's start-up costs more than hashing on the main thread. */
const WORKER_HASH_MIN_BYTES = 16 * 1024 * 1024;
/** For small files: on the main thread. */
class InlineHasher {
    hash = (0,external_node_crypto_.createHash)('sha256');
    async update(memory, length) {
        this.hash.update(memory.subarray(0, length));
        return memory;
    }
    async digest() {
        return this.hash.digest('hex');
    }
    close() { }
}
// Inline, so that it survives bundling into one ESM file; CommonJS, as eval workers are.
// Buffers are transferred there and back (moved, not copied).
const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const hashes = new Map()
parentPort.on('message', ({ op, stream, memory, length }) => {
  let hash = hashes.get(stream)
  if (op === 'close') return hashes.delete(stream)
  if (!hash) hashes.set(stream, (hash = createHash('sha256')))
  if (op === 'update') {
    hash.update(new Uint8Array(memory, 0, length))
    parentPort.postMessage({ stream, memory }, [memory])
  } else {
    hashes.delete(stream)
    parentPort.postMessage({ stream, digest: hash.digest('hex') })
  }
})
`;
/**
 * One worker thread hashes every large download in flight (each is a stream of buffers), so
 * parallel downloads do not each pay for a V8 isolate. It ends when the last stream closes.
 */
class HashWorker {
    static current;
    worker = new external_node_worker_threads_.Worker(HASH_WORKER_SOURCE, { eval: true });
    /** Replies come in the order of requests, per stream. */
    waiters = new Map();
    nextStream = 1;
    constructor() {
        this.worker.on('message', (reply) => this.waiters.get(reply.stream)?.shift()?.resolve(reply));
        const broken = (error) => {
            if (HashWorker.current === this)
                HashWorker.current = undefined;
            for (const queue of this.waiters.values())
                queue.forEach(waiter => waiter.reject(error));
            this.waiters.clear();
        };
        this.worker.on('error', broken);
        this.worker.on('exit', code => broken(new Error(`the hashing thread stopped (exit ${code})`)));
    }
    static open() {
        HashWorker.current ??= new HashWorker();
        return HashWorker.current.stream();
    }
    stream() {
        const stream = this.nextStream++;
        const queue = [];
        this.waiters.set(stream, queue);
        const call = (message, transfer = []) => new Promise((resolve, reject) => {
            if (!this.waiters.has(stream))
                return reject(new Error('the hashing thread stopped'));
            queue.push({ resolve, reject });
            this.worker.postMessage({ stream, ...message }, transfer);
        });
        return {
            update: async (memory, length) => {
                const buffer = memory.buffer;
                const reply = await call({ op: 'update', memory: buffer, length }, [buffer]);
                return reply?.memory && Buffer.from(reply.memory);
            },
            digest: async () => {
                const reply = await call({ op: 'digest' });
                this.close(stream);
                return reply?.digest ?? '';
            },
            close: () => {
                if (!this.waiters.has(stream))
                    return;
                this.worker.postMessage({ op: 'close', stream });
                this.close(stream);
            }
        };
    }
    close(stream) {
        this.waiters.get(stream)?.forEach(waiter => waiter.resolve(undefined));
        this.waiters.delete(stream);
        if (this.waiters.size > 0)
            return;
        if (HashWorker.current === this)
            HashWorker.current = undefined;
        void this.worker.terminate();
    }
}
let collectYoungGarbage;
/**
 * Node's HTTP client allocates two fresh buffers per socket read (the read, and the body copy
 * the parser makes), and V8 frees them only at a GC; its heuristics let some 40-60 MB of them
 * pile up first. A young-generation GC every few MiB keeps the RSS flat at a fraction of a
 * millisecond each. V8 exposes `gc` to contexts created while its flag is on: one such context.
 */
function collectGarbage() {
    if (!collectYoungGarbage) {
        try {
            external_node_v8_default().setFlagsFromString('--expose-gc');
            const gc = external_node_vm_default().runInNewContext('gc');
            collectYoungGarbage = () => gc({ type: 'minor' });
        }
        catch {
            collectYoungGarbage = () => undefined;
        }
        finally {
            external_node_v8_default().setFlagsFromString('--no-expose-gc');
        }
    }
    collectYoungGarbage();
}
/**
 * Writes a stream of chunks to a new file and hashes it, through at most BUFFER_COUNT buffers.
 * `push` copies into the current buffer; a full buffer is written, then hashed, then reused, so
 * filling, writing and hashing run at once on different buffers.
 */
class HashingFileWriter {
    file;
    filePath;
    hasher;
    bufferBytes;
    /** Set by the reader: called once with the first write or hashing failure (a FileWriteError). */
    onError = () => undefined;
    idle = [];
    allocated = 0;
    current;
    filled = 0;
    position = 0;
    sinceGarbage = 0;
    backlog = [];
    writes = Promise.resolve();
    inFlight = new Set();
    failure;
    onRoom;
    closed = false;
    constructor(file, filePath, hasher, bufferBytes) {
        this.file = file;
        this.filePath = filePath;
        this.hasher = hasher;
        this.bufferBytes = bufferBytes;
    }
    /** Creates `filePath`, which must not exist yet. Throws FileWriteError. */
    static async open(filePath, expectedBytes) {
        try {
            return await HashingFileWriter.create(filePath, expectedBytes);
        }
        catch (error) {
            throw new FileWriteError(filePath, error);
        }
    }
    static async create(filePath, expectedBytes) {
        const file = await (0,promises_.open)(filePath, 'wx');
        const large = expectedBytes === undefined || expectedBytes >= WORKER_HASH_MIN_BYTES;
        const bufferBytes = Math.min(BUFFER_BYTES, Math.max(64 * 1024, expectedBytes ?? BUFFER_BYTES));
        try {
            const hasher = large ? HashWorker.open() : new InlineHasher();
            return new HashingFileWriter(file, filePath, hasher, bufferBytes);
        }
        catch (error) {
            await file.close();
            throw error;
        }
    }
    /** Takes the chunk; false when the caller must wait for `whenRoom` before pushing more. */
    push(chunk) {
        if (this.failure)
            return true;
        this.backlog.push(chunk);
        this.fill();
        return this.backlog.length === 0;
    }
    /** Calls back once every pushed chunk has been taken (or the writer failed). */
    whenRoom(callback) {
        this.onRoom = callback;
    }
    /**
     * Waits for everything pushed to be written; closes the file. A write or hashing failure
     * throws FileWriteError.
     */
    async finish() {
        while (this.backlog.length > 0 && !this.failure) {
            await new Promise(resolve => this.whenRoom(resolve));
        }
        if (!this.failure && this.filled > 0)
            this.flush();
        await this.settle();
        if (this.failure)
            throw this.failure;
        const sha256 = await this.hasher.digest();
        this.closed = true;
        await this.file.close();
        return { bytes: this.position, sha256 };
    }
    /** Stops and closes the file (the caller deletes it). Harmless after finish. */
    async abort() {
        if (this.closed)
            return;
        this.closed = true;
        this.failure ??= new Error('aborted');
        this.backlog.length = 0;
        await this.settle();
        this.hasher.close();
        await this.file.close().catch(() => undefined);
    }
    fill() {
        while (this.backlog.length > 0 && !this.failure) {
            const memory = (this.current ??= this.takeBuffer());
            if (!memory)
                return;
            const chunk = this.backlog[0];
            const copied = chunk.copy(memory, this.filled);
            this.filled += copied;
            if (copied === chunk.length)
                this.backlog.shift();
            else
                this.backlog[0] = chunk.subarray(copied);
            if (this.filled === memory.length)
                this.flush();
        }
    }
    takeBuffer() {
        const memory = this.idle.pop();
        if (memory || this.allocated === BUFFER_COUNT)
            return memory;
        this.allocated++;
        // An ArrayBuffer of its own, so that it can move to the hashing thread and back.
        return Buffer.from(new ArrayBuffer(this.bufferBytes));
    }
    flush() {
        const memory = this.current;
        const length = this.filled;
        const position = this.position;
        this.current = undefined;
        this.filled = 0;
        this.position += length;
        // Writes go one after another, so buffers reach the hasher in file order.
        const written = (this.writes = this.writes.then(() => writeFully(this.file, memory, length, position).catch((error) => {
            throw new FileWriteError(this.filePath, error);
        })));
        const reused = written
            .then(() => this.hasher.update(memory, length))
            .then(back => back && this.release(back), (error) => this.fail(error))
            .finally(() => this.inFlight.delete(reused));
        this.inFlight.add(reused);
        this.sinceGarbage += length;
        if (this.sinceGarbage >= GARBAGE_EVERY_BYTES) {
            this.sinceGarbage = 0;
            collectGarbage();
        }
    }
    release(memory) {
        this.idle.push(memory);
        this.fill();
        if (this.backlog.length === 0)
            this.wake();
    }
    fail(error) {
        if (this.failure)
            return;
        this.failure =
            error instanceof FileWriteError ? error : new FileWriteError(this.filePath, error, 'hash');
        this.onError(this.failure);
        this.wake();
    }
    wake() {
        const callback = this.onRoom;
        this.onRoom = undefined;
        callback?.();
    }
    async settle() {
        while (this.inFlight.size > 0)
            await Promise.all(this.inFlight);
    }
}
async function writeFully(file, memory, length, position) {
    for (let offset = 0; offset < length;) {
        const { bytesWritten } = await file.write(memory, offset, length - offset, position + offset);
        offset += bytesWritten;
    }
}

;// CONCATENATED MODULE: ./src/assets/download.ts
/**
 * Streaming downloads of asset files: one file to disk through the runner's proxy, with retries,
 * redirects, a size check, SHA-256, and an atomic rename once the caller's verifier agrees.
 *
 * Not @actions/tool-cache's downloadTool (DESIGN.md §7): it follows no relative redirect, reports
 * no progress, hashes nothing and sleeps 10-20 s between tries. The request goes through
 * src/http.ts instead, whose agents come from the toolkit, so HTTPS_PROXY / NO_PROXY behave the same.
 * Writing and hashing the body, and why they are fast, are in hashing-writer.ts.
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
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_PROGRESS_EVERY_MS = 5000;
const MAX_REDIRECTS = 10;
/** A server asking for a longer pause gets this one; the next try counts against maxAttempts. */
const MAX_RETRY_AFTER_MS = 120_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PROGRESS_CHECK_BYTES = 1024 * 1024;
/** The URL as it may be shown: no query string, fragment or credentials. */
function redactUrl(url) {
    try {
        const parsed = new URL(url);
        return `${parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin}${parsed.pathname}`;
    }
    catch {
        return String(url).split(/[?#]/, 1)[0];
    }
}
/**
 * Downloads one file to `request.destination`: nothing appears there unless it arrived whole and
 * `verify` accepted it; the temporary file is removed on every failure and on cancellation.
 * Throws DownloadError, or the signal's reason (CancelledError) when cancelled.
 */
async function downloadFile(request, options, deps) {
    const { signal } = options;
    const { log } = deps;
    const shownUrl = redactUrl(request.url);
    const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    let url;
    try {
        url = new URL(request.url);
    }
    catch {
        throw new DownloadError(shownUrl, 'not a valid URL', true, 0);
    }
    const refusal = refuseUrl(url, options.allowInsecureHosts);
    if (refusal)
        throw new DownloadError(shownUrl, refusal, true, 0);
    const folder = external_node_path_.dirname(request.destination);
    try {
        await (0,promises_.mkdir)(folder, { recursive: true });
    }
    catch (error) {
        throw new DownloadError(shownUrl, `cannot create ${folder}: ${(0,errors/* errorMessage */.gJ)(error)}`, true, 0, {
            cause: error
        });
    }
    const started = deps.now();
    log.info(`${request.label}: downloading ${shownUrl}`);
    for (let attempt = 1;; attempt++) {
        throwIfCancelled(signal);
        const tempPath = external_node_path_.join(folder, `.${external_node_path_.basename(request.destination)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.part`);
        let fetched;
        try {
            fetched = await fetchOnce(url, tempPath, request.label, options, deps);
        }
        catch (error) {
            await (0,promises_.rm)(tempPath, { force: true });
            throwIfCancelled(signal);
            if (!(error instanceof AttemptError))
                throw error;
            if (error.permanent || attempt >= maxAttempts) {
                const reason = attempt > 1 ? `${error.reason} (after ${attempt} attempts)` : error.reason;
                throw new DownloadError(shownUrl, reason, error.permanent, attempt, { cause: error });
            }
            const backoff = options.backoff ?? retry/* DEFAULT_BACKOFF */.VU;
            const delay = Math.min(MAX_RETRY_AFTER_MS, (0,retry/* retryDelay */.a2)(attempt - 1, error.retryAfterMs, backoff, deps.random));
            log.warning(`${request.label}: ${error.reason}; attempt ${attempt} of ${maxAttempts}, trying again in ${(0,units/* formatDuration */.a3)(delay)}.`);
            await deps.sleep(delay, signal);
            continue;
        }
        try {
            await options.verify?.(tempPath);
        }
        catch (error) {
            await (0,promises_.rm)(tempPath, { force: true });
            throwIfCancelled(signal);
            throw new DownloadError(shownUrl, (0,errors/* errorMessage */.gJ)(error), true, attempt, { cause: error });
        }
        try {
            await (0,promises_.rename)(tempPath, request.destination);
        }
        catch (error) {
            await (0,promises_.rm)(tempPath, { force: true });
            const reason = `cannot rename the download to ${request.destination}: ${(0,errors/* errorMessage */.gJ)(error)}`;
            throw new DownloadError(shownUrl, reason, true, attempt, { cause: error });
        }
        const ms = deps.now() - started;
        log.info(`${request.label}: ${(0,units/* formatBytes */.z3)(fetched.bytes)} in ${(0,units/* formatDuration */.a3)(ms)} (${(0,units/* formatRate */.CE)(fetched.bytes, fetched.ms)}) to ${request.destination}`);
        return {
            url: shownUrl,
            destination: request.destination,
            bytes: fetched.bytes,
            sha256: fetched.sha256,
            ms,
            attempts: attempt
        };
    }
}
/**
 * Runs `worker` over `items` with at most `concurrency` at once. After the first failure (or
 * cancellation) no new item starts; the running ones are awaited, then the first error is thrown.
 * Results come in input order.
 */
async function runBounded(items, concurrency, worker, signal) {
    const results = new Array(items.length);
    let next = 0;
    let failure;
    const lane = async () => {
        while (!failure && next < items.length) {
            if (signal?.aborted) {
                failure = { error: (0,errors/* cancellationOf */.zg)(signal) };
                return;
            }
            const index = next++;
            try {
                results[index] = await worker(items[index]);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    const lanes = Math.max(1, Math.min(Math.floor(concurrency), items.length));
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failure)
        throw failure.error;
    return results;
}
/** Why this URL may not be fetched, or undefined when it may. */
function refuseUrl(url, allowInsecureHosts = []) {
    if (url.protocol === 'https:')
        return undefined;
    const host = url.hostname.toLowerCase();
    if (url.protocol === 'http:' && ((0,inputs/* isLoopbackHost */.cW)(host) || allowInsecureHosts.includes(host))) {
        return undefined;
    }
    return `only https: URLs are downloaded (plain http only from this machine); got ${redactUrl(url)}`;
}
/** Where a redirect from `from` leads (relative Locations included), or why it is not followed. */
function redirectTarget(from, location, allowInsecureHosts) {
    if (!location)
        return { refusal: 'a redirect without a Location header' };
    let next;
    try {
        next = new URL(location, from);
    }
    catch {
        return { refusal: 'a redirect to an invalid Location' };
    }
    if (from.protocol === 'https:' && next.protocol !== 'https:') {
        return { refusal: `refused a redirect from https to ${redactUrl(next)}` };
    }
    const refusal = refuseUrl(next, allowInsecureHosts);
    return refusal ? { refusal: `refused a redirect: ${refusal}` } : { next };
}
/** One try failed; `permanent` says whether another could help. */
class AttemptError extends Error {
    reason;
    permanent;
    retryAfterMs;
    constructor(reason, permanent, retryAfterMs) {
        super(reason);
        this.reason = reason;
        this.permanent = permanent;
        this.retryAfterMs = retryAfterMs;
        this.name = 'AttemptError';
    }
}
/** The writer's own failures are permanent: another try would meet the same disk. */
function fromWriter(error) {
    return error instanceof FileWriteError ? new AttemptError(error.message, true) : error;
}
async function fetchOnce(start, tempPath, label, options, deps) {
    const { signal } = options;
    const began = deps.now();
    const response = await follow(start, label, options, deps);
    const expected = contentLength(response.headers);
    const writer = await HashingFileWriter.open(tempPath, expected).catch((error) => {
        response.body.destroy();
        throw fromWriter(error);
    });
    try {
        const every = options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS;
        let received = 0;
        let reported = began;
        let nextCheck = PROGRESS_CHECK_BYTES;
        const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
        await pump(response.body, writer, { signal, idleTimeoutMs }, chunkBytes => {
            received += chunkBytes;
            // The clock is read once per MiB, not per 64 KiB chunk.
            if (received < nextCheck)
                return;
            nextCheck = received + PROGRESS_CHECK_BYTES;
            const now = deps.now();
            if (now - reported < every)
                return;
            reported = now;
            const share = expected
                ? ` of ${(0,units/* formatBytes */.z3)(expected)} (${Math.floor((received / expected) * 100)}%)`
                : '';
            deps.log.info(`${label}: ${(0,units/* formatBytes */.z3)(received)}${share}, ${(0,units/* formatRate */.CE)(received, now - began)}`);
        }).catch((error) => {
            if (error instanceof FileWriteError)
                throw fromWriter(error);
            const failure = (0,http/* toRequestError */.du)(error, { signal });
            if (!(failure instanceof http/* NetworkError */.Dr))
                throw failure;
            const progress = expected !== undefined ? ` after ${received} of ${expected} bytes` : '';
            throw new AttemptError(`the connection failed${progress} (${failure.message})`, false);
        });
        const { bytes, sha256 } = await writer.finish().catch((error) => {
            throw fromWriter(error);
        });
        if (expected !== undefined && bytes !== expected) {
            throw new AttemptError(`the body ended after ${bytes} of ${expected} bytes`, false);
        }
        return { bytes, sha256, ms: deps.now() - began };
    }
    finally {
        await writer.abort();
    }
}
/** GETs `start`, following redirects itself; resolves with a 200 response, body unread. */
async function follow(start, label, options, deps) {
    let url = start;
    for (let hops = 0;; hops++) {
        let response;
        try {
            response = await (0,http/* sendRequest */.w$)({
                method: 'GET',
                url,
                // The size check needs the bytes as stored, not a transfer encoding of them.
                headers: { 'Accept-Encoding': 'identity' },
                signal: options.signal,
                idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
            });
        }
        catch (error) {
            if (error instanceof http/* NetworkError */.Dr) {
                throw new AttemptError(`network error: ${error.message}`, false);
            }
            throw error;
        }
        const { status, headers, body } = response;
        if (status === 200)
            return response;
        if (REDIRECT_STATUSES.has(status)) {
            body.resume();
            if (hops >= MAX_REDIRECTS) {
                throw new AttemptError(`more than ${MAX_REDIRECTS} redirects`, true);
            }
            const target = redirectTarget(url, firstHeader(headers.location), options.allowInsecureHosts);
            if ('refusal' in target)
                throw new AttemptError(`HTTP ${status}: ${target.refusal}`, true);
            deps.log.debug(`${label}: HTTP ${status} to ${redactUrl(target.next)}`);
            url = target.next;
            continue;
        }
        const retryAfter = (0,retry/* parseRetryAfter */.mu)(firstHeader(headers['retry-after']), (deps.wallClock ?? Date.now)());
        if (status === 408 || status === 429 || status >= 500) {
            body.destroy();
            throw new AttemptError(`HTTP ${status}`, false, retryAfter);
        }
        const excerpt = await readExcerpt(body);
        const detail = excerpt && !excerpt.startsWith(String(status)) ? ` (${excerpt})` : '';
        const hint = status === 401 || status === 403 ? '; the signed URL may have expired' : '';
        throw new AttemptError(`HTTP ${status}${detail}${hint}`, true);
    }
}
const EXCERPT_CHARS = 160;
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
        .replace(/\s+/g, ' ');
    const trimmed = text.trim();
    return trimmed.length > EXCERPT_CHARS ? `${trimmed.slice(0, EXCERPT_CHARS)}…` : trimmed;
}
/**
 * Feeds the body to the writer, pausing it while the writer has no free buffer. A failure names
 * a silent connection as such (src/http.ts ends it after idleTimeoutMs; the body only sees an
 * abort).
 */
function pump(body, writer, options, onChunk) {
    const { signal, idleTimeoutMs } = options;
    return new Promise((resolve, reject) => {
        const socket = body.socket;
        let silent = false;
        const onSilence = () => {
            silent = true;
        };
        let settled = false;
        const settle = () => {
            if (settled)
                return false;
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            socket?.removeListener('timeout', onSilence);
            return true;
        };
        const fail = (error) => {
            if (!settle())
                return;
            body.destroy();
            reject(silent ? new http/* NetworkError */.Dr(`no data for ${idleTimeoutMs} ms`, 'ETIMEDOUT') : error);
        };
        const onAbort = () => fail((0,errors/* cancellationOf */.zg)(signal));
        if (signal?.aborted)
            return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        socket?.on('timeout', onSilence);
        // The connection may have failed while the file was being opened.
        if (body.destroyed)
            return fail(body.errored ?? closedEarly());
        writer.onError = fail;
        body.on('data', (chunk) => {
            onChunk(chunk.length);
            if (!writer.push(chunk)) {
                body.pause();
                writer.whenRoom(() => body.resume());
            }
        });
        body.once('end', () => {
            if (settle())
                resolve();
        });
        body.once('error', fail);
        body.once('close', () => {
            if (!body.complete)
                fail(closedEarly());
        });
    });
}
function closedEarly() {
    return new http/* NetworkError */.Dr('the connection closed early', 'ECONNRESET');
}
function contentLength(headers) {
    const text = headers['content-length'];
    if (text === undefined || !/^\d+$/.test(text))
        return undefined;
    return Number(text);
}
function firstHeader(value) {
    return Array.isArray(value) ? value[0] : value;
}
function throwIfCancelled(signal) {
    if (signal?.aborted)
        throw (0,errors/* cancellationOf */.zg)(signal);
}

;// CONCATENATED MODULE: ./src/assets/file-name.ts
/** Room for the temporary name's prefix and suffix under the usual 255-byte limit. */
const MAX_NAME_LENGTH = 200;
/**
 * The file name for an asset (DESIGN.md §5): the URL's last path segment reduced to
 * `[A-Za-z0-9._-]`, else `point_cloud.<ext>`.
 *
 * Beyond the letter of §5: leading dots are dropped (no hidden files, and no clash with the
 * `.<name>.*.part` temporary names), and the format's extension is added when the segment lacks
 * it, so that two formats served from one path (`/get?format=ply`, `/get?format=spz`) cannot
 * overwrite each other in the task's folder.
 */
function assetFileName(url, format) {
    const extension = `.${format}`;
    const reduced = lastSegment(url).replace(/[^A-Za-z0-9._-]/g, '');
    let name = reduced.replace(/^\.+/, '');
    // Nothing left, or only the extension (`场景.ply`): no name worth keeping.
    if (name === '' || reduced.toLowerCase() === extension)
        return `point_cloud${extension}`;
    if (!name.toLowerCase().endsWith(extension))
        name += extension;
    if (name.length > MAX_NAME_LENGTH)
        name = name.slice(-MAX_NAME_LENGTH).replace(/^\.+/, '');
    return name;
}
function lastSegment(url) {
    let pathname;
    try {
        pathname = new URL(url).pathname;
    }
    catch {
        pathname = url.split(/[?#]/, 1)[0];
    }
    const segment = pathname.split('/').pop() ?? '';
    try {
        return decodeURIComponent(segment);
    }
    catch {
        return segment;
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/result.ts
/** The file is not a usable asset; `reason` says why, in words meant for the user. */
class AssetVerificationError extends Error {
    reason;
    constructor(reason) {
        super(reason);
        this.name = 'AssetVerificationError';
        this.reason = reason;
    }
}
function fail(reason) {
    throw new AssetVerificationError(reason);
}

;// CONCATENATED MODULE: ./src/assets/verify/text.ts
/** Words for failure messages: raw bytes quoted safely, counts, and errors of any kind. */
/** Bytes as a double-quoted string that is safe to print: ASCII as is, anything else escaped. */
function quoteBytes(bytes) {
    let out = '';
    for (const byte of bytes) {
        if (byte === 0x0a)
            out += '\\n';
        else if (byte === 0x0d)
            out += '\\r';
        else if (byte === 0x09)
            out += '\\t';
        else if (byte === 0x22 || byte === 0x5c)
            out += `\\${String.fromCharCode(byte)}`;
        else if (byte >= 0x20 && byte < 0x7f)
            out += String.fromCharCode(byte);
        else
            out += `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return `"${out}"`;
}
/** Up to 80 characters of header text read as latin1, quoted like bytes. */
const quoteText = (text) => quoteBytes(Buffer.from(text.slice(0, 80), 'latin1'));
const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

;// CONCATENATED MODULE: ./src/assets/verify/file-ranges.ts


/** Reads byte ranges of an open file whose size is known. */
class FileRanges {
    file;
    size;
    constructor(file, size) {
        this.file = file;
        this.size = size;
    }
    /** The bytes at [position, position + length), or fewer where the file ends. */
    async read(position, length) {
        const wanted = Math.max(0, Math.min(length, this.size - position));
        const buffer = Buffer.alloc(wanted);
        let filled = 0;
        while (filled < wanted) {
            const { bytesRead } = await this.file.read(buffer, filled, wanted - filled, position + filled);
            if (bytesRead === 0)
                break; // the file shrank under us; callers see the short buffer
            filled += bytesRead;
        }
        return buffer.subarray(0, filled);
    }
}
/**
 * Relates a file's size to the size its own headers describe. `describer` names those headers,
 * e.g. "the PLY header"; `singular` picks the verb's form for it.
 */
function checkExactSize(actual, expected, describer, singular) {
    if (actual < expected) {
        fail(`truncated: ${actual} bytes, ${describer} ${singular ? 'needs' : 'need'} ${expected}`);
    }
    if (actual > expected) {
        const accounts = singular ? 'accounts' : 'account';
        fail(`${plural(actual - expected, 'trailing byte')}: ${actual} bytes, ${describer} ${accounts} for ${expected}`);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/ply-header.ts


const PLY_TYPE_BYTES = {
    char: 1,
    uchar: 1,
    int8: 1,
    uint8: 1,
    short: 2,
    ushort: 2,
    int16: 2,
    uint16: 2,
    int: 4,
    uint: 4,
    float: 4,
    int32: 4,
    uint32: 4,
    float32: 4,
    double: 8,
    float64: 8
};
/** Length of the header including its `end_header` line, or undefined if it is not in `head`. */
function findPlyHeaderEnd(head) {
    const match = /\nend_header[ \t]*\r?\n/.exec(head.toString('latin1'));
    return match ? match.index + match[0].length : undefined;
}
function parsePlyHeader(header) {
    const lines = header.split('\n').map(line => line.replace(/\r$/, '').trim());
    let format;
    const elements = [];
    for (const line of lines.slice(1)) {
        const words = line.split(/\s+/);
        const keyword = words[0];
        if (keyword === 'end_header')
            break;
        if (keyword === '' || keyword === 'comment' || keyword === 'obj_info')
            continue;
        if (keyword === 'format') {
            format = words.slice(1).join(' ');
            checkPlyFormat(format);
        }
        else if (keyword === 'element') {
            elements.push(parseElement(words, line));
        }
        else if (keyword === 'property') {
            addProperty(elements.at(-1), words, line);
        }
        else {
            fail(`unexpected PLY header line ${quoteText(line)}`);
        }
    }
    if (format === undefined)
        fail('the PLY header has no "format" line');
    return elements;
}
function checkPlyFormat(format) {
    if (format === 'binary_little_endian 1.0')
        return;
    const [encoding] = format.split(' ');
    if (encoding === 'ascii') {
        fail('ASCII PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"');
    }
    if (encoding === 'binary_big_endian') {
        fail('big-endian PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"');
    }
    fail(`unsupported PLY format ${quoteText(format)}; expected "binary_little_endian 1.0"`);
}
function parseElement(words, line) {
    if (words.length !== 3 || !/^\d+$/.test(words[2]) || !Number.isSafeInteger(Number(words[2]))) {
        fail(`malformed PLY header line ${quoteText(line)}`);
    }
    return { name: words[1], count: Number(words[2]), properties: [], rowBytes: 0 };
}
function addProperty(element, words, line) {
    if (!element)
        fail(`PLY property before any element: ${quoteText(line)}`);
    if (words[1] === 'list') {
        fail(`list property "${words.at(-1)}" in the ${element.name} element: its size depends on the data, and Gaussian-splat PLY files have none`);
    }
    const bytes = PLY_TYPE_BYTES[words[1]];
    if (words.length !== 3 || bytes === undefined) {
        fail(`malformed PLY header line ${quoteText(line)}`);
    }
    element.properties.push(words[2]);
    element.rowBytes += bytes;
}

;// CONCATENATED MODULE: ./src/assets/verify/sh-degree.ts
/** Spherical-harmonic coefficients per colour channel for SH degrees 0..4. */
const SH_COEFFICIENTS = [0, 3, 8, 15, 24];
/** PLY's f_rest_* and SOG v1's shN.shape[1] count all three channels, for degrees 0..3. */
const DEGREE_OF_REST_COUNT = new Map(SH_COEFFICIENTS.slice(0, 4).map((perChannel, degree) => [3 * perChannel, degree]));
/** The SH degree (0-3) of a splat with `count` non-DC coefficients, or undefined for any other count. */
const shDegreeOfRestCount = (count) => DEGREE_OF_REST_COUNT.get(count);

;// CONCATENATED MODULE: ./src/assets/verify/ply.ts




const PLY_HEADER_LIMIT = 128 * 1024;
/** What every 3DGS splat carries; SH beyond degree 0 (f_rest_*) and normals are optional. */
const GAUSSIAN_PROPERTIES = 'x y z f_dc_0 f_dc_1 f_dc_2 opacity scale_0 scale_1 scale_2 rot_0 rot_1 rot_2 rot_3'.split(' ');
const PACKED_PROPERTIES = ['packed_position', 'packed_rotation', 'packed_scale', 'packed_color'];
/** The compressed PLY stores one `chunk` row of bounds per this many splats. */
const SPLATS_PER_CHUNK = 256;
/** Checks a 3DGS or compressed (chunked) PLY: its header, and a size that is exactly what the header describes. */
async function verifyPly(file) {
    const head = await file.read(0, PLY_HEADER_LIMIT);
    const headerBytes = findPlyHeaderEnd(head);
    if (headerBytes === undefined) {
        fail(file.size <= PLY_HEADER_LIMIT
            ? `truncated: ${file.size} bytes and the PLY header has no "end_header" line`
            : 'no "end_header" line in the first 128 KiB; a splat PLY header is a few KiB');
    }
    const elements = parsePlyHeader(head.toString('latin1', 0, headerBytes));
    checkPlySize(file.size, headerBytes, elements);
    const named = (name) => elements.find(element => element.name === name);
    const vertex = named('vertex');
    if (!vertex)
        fail('the PLY header has no "vertex" element, so no splats');
    const chunk = named('chunk');
    if (chunk || vertex.properties.includes('packed_position')) {
        return compressedPlyInfo(vertex, chunk, named('sh'));
    }
    const missing = GAUSSIAN_PROPERTIES.filter(name => !vertex.properties.includes(name));
    if (missing.length > 0) {
        fail(`not a Gaussian-splat PLY: the vertex element lacks ${missing.join(', ')}`);
    }
    return {
        format: 'ply',
        gaussians: vertex.count,
        version: 'ply-3dgs',
        shDegree: fRestDegree(vertex)
    };
}
function checkPlySize(size, headerBytes, elements) {
    let expectedSize = headerBytes;
    for (const element of elements)
        expectedSize += element.count * element.rowBytes;
    if (!Number.isSafeInteger(expectedSize))
        fail('the PLY header describes an impossibly large file');
    const layout = elements
        .filter(element => element.count > 0)
        .map(element => `${element.count} ${element.name} × ${element.rowBytes} bytes`)
        .join(' + ');
    checkExactSize(size, expectedSize, `the PLY header (${headerBytes} bytes + ${layout || 'no data'})`, true);
}
function compressedPlyInfo(vertex, chunk, sh) {
    const missing = PACKED_PROPERTIES.filter(name => !vertex.properties.includes(name));
    if (missing.length > 0) {
        fail(`not a compressed PLY: the vertex element lacks ${missing.join(', ')}`);
    }
    const chunksNeeded = Math.ceil(vertex.count / SPLATS_PER_CHUNK);
    if (!chunk || chunk.count < chunksNeeded) {
        fail(`compressed PLY with ${vertex.count} splats needs ${chunksNeeded} chunk rows, the header has ${chunk?.count ?? 0}`);
    }
    if (sh && sh.count !== vertex.count) {
        fail(`compressed PLY has ${vertex.count} vertex rows but ${sh.count} sh rows; they must match`);
    }
    return {
        format: 'ply',
        gaussians: vertex.count,
        version: 'ply-compressed',
        shDegree: sh ? fRestDegree(sh) : 0
    };
}
function fRestDegree(element) {
    const count = element.properties.filter(name => /^f_rest_\d+$/.test(name)).length;
    const degree = shDegreeOfRestCount(count);
    if (degree === undefined) {
        fail(`${count} f_rest properties in the ${element.name} element; SH degrees 0-3 have 0, 9, 24 or 45`);
    }
    return degree;
}

;// CONCATENATED MODULE: ./src/assets/verify/sniff.ts


/**
 * Tells the formats apart by their first bytes, and names what a server sent instead of an asset
 * (an HTML error page, an XML or JSON error body) so the user reads the cause, not "bad magic".
 */
/** How many leading bytes `expectFormat` needs to see. */
const SNIFF_BYTES = 4096;
const startsWith = (bytes, prefix) => bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
const ascii = (text) => [...text].map(char => char.charCodeAt(0));
const PLY_MAGIC = ascii('ply\n');
const PLY_MAGIC_CRLF = ascii('ply\r\n');
const GZIP_MAGIC = [0x1f, 0x8b];
/** Starts an SPZ header: a v4 file as is, v1-v3 once inflated. */
const SPZ_MAGIC = ascii('NGSP');
const ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const LABEL = { ply: 'PLY', spz: 'SPZ', sog: 'SOG' };
/** Fails unless `head`, the first bytes of a file of `size` bytes, starts the `expected` format. */
function expectFormat(head, size, expected) {
    if (size === 0)
        fail('empty file (0 bytes)');
    const actual = sniffFormat(head);
    if (actual === undefined) {
        fail(describeNonAsset(head, size) ?? describeUnknown(head, expected));
    }
    if (actual !== expected) {
        fail(`the bytes say ${LABEL[actual]} but the file name says .${expected}`);
    }
}
function sniffFormat(head) {
    if (startsWith(head, PLY_MAGIC) || startsWith(head, PLY_MAGIC_CRLF))
        return 'ply';
    if (startsWith(head, GZIP_MAGIC) || startsWith(head, SPZ_MAGIC))
        return 'spz';
    if (startsWith(head, ZIP_LOCAL_MAGIC))
        return 'sog';
    return undefined;
}
/** Names what a web server or API sent instead of an asset, or undefined if it is none of those. */
function describeNonAsset(head, size) {
    let start = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0; // a UTF-8 byte order mark
    while (start < head.length && isSpace(head[start]))
        start++;
    const text = head.toString('utf8', start);
    const lower = text.slice(0, 256).toLowerCase();
    const shown = quoteBytes(head.subarray(start, start + 40));
    if (lower.startsWith('<!doctype html') ||
        lower.startsWith('<html') ||
        /^<\?xml[^>]*>\s*(<!doctype html|<html)/.test(lower)) {
        const title = /<title[^>]*>([^<]{1,120})/i.exec(text)?.[1]?.trim();
        const titled = title ? `; title "${collapse(title)}"` : '';
        return `an HTML page, not a splat file (starts with ${shown}${titled})`;
    }
    if (lower.startsWith('<')) {
        const code = /<code>([^<]{1,80})<\/code>/i.exec(text)?.[1];
        const message = /<message>([^<]{1,160})<\/message>/i.exec(text)?.[1];
        const details = code
            ? `; code "${collapse(code)}"${message ? `, message "${collapse(message)}"` : ''}`
            : '';
        return `an XML document, not a splat file (starts with ${shown}${details})`;
    }
    if (lower.startsWith('{') || lower.startsWith('[')) {
        return describeJson(text, head.length >= size, shown);
    }
    return undefined;
}
/** `complete`: `text` is the whole body, so it can be parsed rather than only pattern-matched. */
function describeJson(text, complete, shown) {
    let body;
    if (complete) {
        try {
            body = JSON.parse(text);
        }
        catch {
            body = undefined;
        }
    }
    if (isRecord(body) && 'c' in body) {
        const message = body.m === null || body.m === undefined ? '' : `, m "${collapse(String(body.m))}"`;
        return `a JSON API response, not a splat file (c "${collapse(String(body.c))}"${message})`;
    }
    if (isRecord(body) && 'means' in body && 'quats' in body) {
        return 'a SOG meta.json on its own, not a bundled .sog file (its images are separate files)';
    }
    const code = /^\{\s*"c"\s*:\s*"([^"]{0,40})"/.exec(text)?.[1];
    if (code !== undefined)
        return `a JSON API response, not a splat file (c "${collapse(code)}")`;
    return `a JSON document, not a splat file (starts with ${shown})`;
}
function describeUnknown(head, expected) {
    const sample = head.subarray(0, 24);
    const looksLikeText = sample.every(byte => isSpace(byte) || byte >= 0x20);
    const shown = looksLikeText
        ? `the bytes are text, starting with ${quoteBytes(sample)}`
        : `its first bytes are ${[...sample.subarray(0, 16)].map(byte => byte.toString(16).padStart(2, '0')).join(' ')}`;
    return `not a ${LABEL[expected]} file or any splat format: ${shown}`;
}
const isSpace = (byte) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
/** One line of printable text, for quoting what a server said. */
const collapse = (text) => [...text]
    .map(char => (char < ' ' || char === '\u007f' ? ' ' : char))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);

;// CONCATENATED MODULE: ./src/assets/verify/sog-meta.ts




/** Reads a SOG's meta.json (version 1 or 2): the splat count, SH degree and the images it names. */
function parseSogMeta(bytes) {
    let meta;
    try {
        meta = JSON.parse(bytes.toString('utf8'));
    }
    catch (error) {
        fail(`meta.json is not valid JSON: ${(0,errors/* errorMessage */.gJ)(error)}`);
    }
    if (!isRecord(meta))
        fail('meta.json is not a JSON object');
    const textures = [];
    for (const section of ['means', 'scales', 'quats', 'sh0']) {
        for (const name of sectionFiles(meta, section))
            textures.push({ name, perSplat: true });
    }
    const shN = meta.shN;
    if (shN !== undefined) {
        const [centroids, labels, ...rest] = sectionFiles(meta, 'shN');
        if (labels === undefined) {
            fail('meta.json lists no shN labels image (shN.files needs two images)');
        }
        textures.push({ name: centroids, perSplat: false }, { name: labels, perSplat: true });
        for (const name of rest)
            textures.push({ name, perSplat: false });
    }
    if (meta.version === undefined) {
        // Version 1 had no version field and no count: the count is the first dimension of means.
        const count = (isRecord(meta.means) && Array.isArray(meta.means.shape) ? meta.means.shape : [])[0];
        const fRest = isRecord(shN) && Array.isArray(shN.shape) ? shN.shape[1] : undefined;
        const shDegree = shN === undefined ? 0 : shDegreeOfRestCount(Number(fRest)) || undefined;
        if (!isCount(count))
            fail('meta.json (SOG version 1) has no valid means.shape[0] splat count');
        if (shDegree === undefined) {
            fail('meta.json (SOG version 1) has shN without a valid shN.shape[1] (9, 24 or 45)');
        }
        return { version: 1, count, shDegree, textures };
    }
    if (meta.version !== 2)
        fail(`unsupported SOG meta.json version ${JSON.stringify(meta.version)}`);
    if (!isCount(meta.count))
        fail('meta.json has no valid "count"');
    let shDegree = 0;
    if (shN !== undefined) {
        const bands = isRecord(shN) ? shN.bands : undefined;
        if (bands !== 1 && bands !== 2 && bands !== 3) {
            fail('meta.json has shN without a valid shN.bands (1, 2 or 3)');
        }
        shDegree = bands;
    }
    return { version: 2, count: meta.count, shDegree, textures };
}
const isCount = (value) => Number.isSafeInteger(value) && value >= 0;
function sectionFiles(meta, section) {
    const value = meta[section];
    const files = isRecord(value) ? value.files : undefined;
    if (!Array.isArray(files) ||
        files.length === 0 ||
        !files.every(name => typeof name === 'string')) {
        fail(`meta.json has no "${section}.files" list of image names`);
    }
    return files;
}

;// CONCATENATED MODULE: ./src/assets/verify/webp.ts



/** How many leading bytes of an image `readWebpHeader` needs for any of the three WebP forms. */
const WEBP_HEADER_BYTES = 30;
/** Reads the size and dimensions from the first bytes of the WebP image `name`. */
function readWebpHeader(bytes, name) {
    if (bytes.length < 16 ||
        bytes.toString('latin1', 0, 4) !== 'RIFF' ||
        bytes.toString('latin1', 8, 12) !== 'WEBP') {
        fail(`"${name}" is not a WebP image (starts with ${quoteBytes(bytes.subarray(0, 16))})`);
    }
    const riffBytes = bytes.readUInt32LE(4) + 8;
    const chunk = bytes.toString('latin1', 12, 16);
    const short = (needed) => {
        if (bytes.length < needed)
            fail(`"${name}" is cut off inside its WebP header`);
    };
    if (chunk === 'VP8L') {
        short(25);
        if (bytes[20] !== 0x2f)
            fail(`"${name}" has a damaged lossless WebP header`);
        const bits = bytes.readUInt32LE(21);
        return { riffBytes, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') {
        short(30);
        return { riffBytes, width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
    }
    if (chunk === 'VP8 ') {
        short(30);
        if (!startsWith(bytes.subarray(23), [0x9d, 0x01, 0x2a])) {
            fail(`"${name}" has a damaged lossy WebP header`);
        }
        return {
            riffBytes,
            width: bytes.readUInt16LE(26) & 0x3fff,
            height: bytes.readUInt16LE(28) & 0x3fff
        };
    }
    fail(`"${name}" is a WebP image with an unknown first chunk ${quoteText(chunk)}`);
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
;// CONCATENATED MODULE: ./src/assets/verify/inflate-prefix.ts



/** Deflate expands at most ~1032:1, so this never trips on a 64 KiB prefix yet bounds memory. */
const INFLATE_OUTPUT_LIMIT = 80 * 1024 * 1024;
/** Inflates as much of `input` as it holds: a stream cut short gives what precedes the cut, not an error. */
function inflatePrefix(input, kind) {
    const options = {
        finishFlush: external_node_zlib_.constants.Z_SYNC_FLUSH,
        maxOutputLength: INFLATE_OUTPUT_LIMIT
    };
    try {
        return kind === 'gzip' ? external_node_zlib_.gunzipSync(input, options) : external_node_zlib_.inflateRawSync(input, options);
    }
    catch (error) {
        fail(`corrupt compressed data: ${(0,errors/* errorMessage */.gJ)(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/zip.ts





/**
 * Reads the ZIP container of a SOG bundle: its directory, and the start or the whole of an entry.
 * Only what a SOG writer produces is accepted (one plain ZIP file, stored or deflated entries), and
 * the limits and messages are a SOG's.
 */
const EOCD_SIGNATURE = 0x06054b50;
const EOCD_BYTES = 22;
const MAX_ZIP_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_ENTRY_BYTES = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
/** A SOG's directory lists a handful of files; more than this is not a SOG. */
const CENTRAL_DIRECTORY_LIMIT = 1024 * 1024;
const META_JSON_LIMIT = 1024 * 1024;
/** Compressed bytes inflated to reach a deflated image's header. */
const DEFLATED_HEADER_INPUT = 4096;
/** Reads the central directory, checking that the file ends exactly where the end record says. */
async function readZipDirectory(file) {
    const { eocd, eocdOffset } = await findEndRecord(file);
    const commentLength = eocd.readUInt16LE(20);
    checkExactSize(file.size, eocdOffset + EOCD_BYTES + commentLength, 'the ZIP directory', true);
    const entryCount = eocd.readUInt16LE(10);
    const directorySize = eocd.readUInt32LE(12);
    const directoryOffset = eocd.readUInt32LE(16);
    const zip64 = entryCount === 0xffff ||
        directorySize === 0xffffffff ||
        directoryOffset === 0xffffffff ||
        (eocdOffset >= ZIP64_LOCATOR_BYTES &&
            (await file.read(eocdOffset - ZIP64_LOCATOR_BYTES, 4)).readUInt32LE(0) ===
                ZIP64_LOCATOR_SIGNATURE);
    if (zip64)
        fail('a ZIP64 archive; SOG bundles are plain ZIP files, and ZIP64 is not supported');
    if (eocd.readUInt16LE(4) !== 0 ||
        eocd.readUInt16LE(6) !== 0 ||
        eocd.readUInt16LE(8) !== entryCount) {
        fail('a multi-part (spanned) ZIP archive; a SOG bundle is a single file');
    }
    if (directoryOffset + directorySize !== eocdOffset) {
        fail(`corrupt ZIP: the central directory (${directorySize} bytes at ${directoryOffset}) does not end where the end record starts (${eocdOffset})`);
    }
    if (directorySize > CENTRAL_DIRECTORY_LIMIT) {
        fail(`a ZIP central directory of ${directorySize} bytes; a SOG bundle lists a handful of files`);
    }
    const directory = await file.read(directoryOffset, directorySize);
    return {
        entries: parseCentralDirectory(directory, entryCount),
        centralDirectoryOffset: directoryOffset
    };
}
/** The end-of-central-directory record, searched for backwards past a comment of up to 64 KiB. */
async function findEndRecord(file) {
    const tailLength = Math.min(file.size, EOCD_BYTES + MAX_ZIP_COMMENT);
    const tailStart = file.size - tailLength;
    const tail = await file.read(tailStart, tailLength);
    let at = -1;
    for (let i = tail.length - 4; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
            at = i;
            break;
        }
    }
    if (at < 0) {
        fail(`truncated: ${file.size} bytes and no ZIP end-of-central-directory record; the download was cut short`);
    }
    if (at + EOCD_BYTES > tail.length) {
        fail(`truncated: ${file.size} bytes, the file ends inside the ZIP end-of-central-directory record`);
    }
    return { eocd: tail.subarray(at, at + EOCD_BYTES), eocdOffset: tailStart + at };
}
function parseCentralDirectory(directory, entryCount) {
    const entries = new Map();
    let position = 0;
    for (let k = 0; k < entryCount; k++) {
        if (position + CENTRAL_ENTRY_BYTES > directory.length ||
            directory.readUInt32LE(position) !== CENTRAL_SIGNATURE) {
            fail(`corrupt ZIP central directory: entry ${k + 1} of ${entryCount} is missing or damaged`);
        }
        const nameLength = directory.readUInt16LE(position + 28);
        const nameEnd = position + CENTRAL_ENTRY_BYTES + nameLength;
        const entry = {
            name: directory.toString('utf8', position + CENTRAL_ENTRY_BYTES, nameEnd),
            method: directory.readUInt16LE(position + 10),
            compressedSize: directory.readUInt32LE(position + 20),
            uncompressedSize: directory.readUInt32LE(position + 24),
            localHeaderOffset: directory.readUInt32LE(position + 42)
        };
        checkZipEntry(entry, directory.readUInt16LE(position + 8));
        entries.set(entry.name, entry);
        position =
            nameEnd + directory.readUInt16LE(position + 30) + directory.readUInt16LE(position + 32);
    }
    if (position !== directory.length) {
        fail(`corrupt ZIP central directory: it does not hold exactly the ${entryCount} entries its end record counts`);
    }
    return entries;
}
function checkZipEntry(entry, flags) {
    if ([entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset].includes(0xffffffff)) {
        fail(`ZIP64 entry "${entry.name}"; SOG bundles are plain ZIP files, and ZIP64 is not supported`);
    }
    if ((flags & 0x1) !== 0)
        fail(`"${entry.name}" is encrypted`);
    if (entry.method !== 0 && entry.method !== 8) {
        fail(`"${entry.name}" uses ZIP compression method ${entry.method}; SOG readers accept stored (0) and deflate (8)`);
    }
    if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
        fail(`corrupt ZIP: stored entry "${entry.name}" lists ${entry.compressedSize} bytes compressed but ${entry.uncompressedSize} uncompressed`);
    }
}
/** Where an entry's data starts: the local header has its own name and extra-field lengths. */
async function entryDataOffset(file, zip, entry) {
    const local = await file.read(entry.localHeaderOffset, LOCAL_HEADER_BYTES);
    if (local.length < LOCAL_HEADER_BYTES || local.readUInt32LE(0) !== LOCAL_SIGNATURE) {
        fail(`corrupt ZIP: no local header for "${entry.name}" at byte ${entry.localHeaderOffset}`);
    }
    const dataOffset = entry.localHeaderOffset + LOCAL_HEADER_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + entry.compressedSize > zip.centralDirectoryOffset) {
        fail(`corrupt ZIP: "${entry.name}" runs past the start of the central directory`);
    }
    return dataOffset;
}
/** Up to `length` uncompressed bytes from the start of an entry, inflating only a little of it. */
async function readEntryStart(file, zip, entry, length) {
    const offset = await entryDataOffset(file, zip, entry);
    if (entry.method === 0)
        return file.read(offset, Math.min(length, entry.compressedSize));
    const compressed = await file.read(offset, Math.min(DEFLATED_HEADER_INPUT, entry.compressedSize));
    return inflatePrefix(compressed, 'raw').subarray(0, length);
}
/** A small entry (meta.json) whole, checked against the size the directory gives it. */
async function readWholeEntry(file, zip, entry) {
    if (entry.uncompressedSize > META_JSON_LIMIT || entry.compressedSize > META_JSON_LIMIT) {
        fail(`"${entry.name}" is ${entry.uncompressedSize} bytes; more than the ${META_JSON_LIMIT} a SOG's meta.json can need`);
    }
    const offset = await entryDataOffset(file, zip, entry);
    const stored = await file.read(offset, entry.compressedSize);
    let data = stored;
    if (entry.method === 8) {
        try {
            data = external_node_zlib_.inflateRawSync(stored, { maxOutputLength: META_JSON_LIMIT });
        }
        catch (error) {
            fail(`"${entry.name}" does not inflate: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    if (data.length !== entry.uncompressedSize) {
        fail(`"${entry.name}" holds ${data.length} bytes, the ZIP directory says ${entry.uncompressedSize}`);
    }
    return data;
}

;// CONCATENATED MODULE: ./src/assets/verify/sog.ts




/**
 * Checks a SOG bundle (a ZIP of meta.json and WebP images): the ZIP directory, meta.json, and the
 * header of every image it names, whose size must match its entry and whose pixels cover the splats.
 */
async function verifySog(file) {
    const zip = await readZipDirectory(file);
    const metaEntry = zip.entries.get('meta.json');
    if (!metaEntry)
        fail('no meta.json in the SOG bundle');
    const meta = parseSogMeta(await readWholeEntry(file, zip, metaEntry));
    for (const texture of meta.textures) {
        const entry = zip.entries.get(texture.name);
        if (!entry)
            fail(`meta.json names "${texture.name}", which is not in the SOG bundle`);
        const webp = readWebpHeader(await readEntryStart(file, zip, entry, WEBP_HEADER_BYTES), texture.name);
        if (webp.riffBytes !== entry.uncompressedSize) {
            fail(`"${texture.name}" is damaged: its WebP header says ${webp.riffBytes} bytes, the bundle holds ${entry.uncompressedSize}`);
        }
        if (texture.perSplat && webp.width * webp.height < meta.count) {
            fail(`"${texture.name}" is ${webp.width}×${webp.height} = ${webp.width * webp.height} pixels, fewer than the ${meta.count} splats`);
        }
    }
    return {
        format: 'sog',
        gaussians: meta.count,
        version: `sog-v${meta.version}`,
        shDegree: meta.shDegree
    };
}

;// CONCATENATED MODULE: ./src/assets/verify/spz-layout.ts


/** The attribute blocks every SPZ version stores, in file order. */
const SPZ_ATTRIBUTES = [
    'positions',
    'alphas',
    'colours',
    'scales',
    'rotations',
    'spherical harmonics'
];
/** Bytes per splat in each attribute block, in file order. */
function spzAttributeBytes(version, shDegree) {
    const positions = version === 1 ? 6 : 9; // v1 stored float16 positions, later versions 24-bit fixed point
    const rotations = version >= 3 ? 4 : 3;
    return [positions, 1, 3, 3, rotations, 3 * SH_COEFFICIENTS[shDegree]];
}
function checkShDegree(shDegree) {
    if (shDegree >= SH_COEFFICIENTS.length) {
        fail(`SPZ header gives SH degree ${shDegree}; SPZ allows 0-4`);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/spz-gzip.ts





const SPZ_HEADER_BYTES = 16;
const GZIP_HEADER_AND_TRAILER = 18;
const GZIP_RESERVED_FLAGS = 0xe0;
/** Compressed bytes tried, in turn, to inflate the 16-byte SPZ header: nearly always the first. */
const GZIP_PREFIX_STEPS = [1024, 16 * 1024, 64 * 1024];
const SPZ_FLAG_EXTENSIONS = 0x2;
/**
 * Checks a gzip-compressed SPZ v1-v3 file, given its first bytes: the gzip header, the inflated
 * SPZ header, and the gzip trailer's length against the size that header implies.
 */
async function verifyGzipSpz(file, head) {
    if (file.size < GZIP_HEADER_AND_TRAILER + 2) {
        fail(`truncated: ${file.size} bytes, too short for a gzip stream`);
    }
    if (head[2] !== 8) {
        fail(`not a valid gzip stream: compression method ${head[2]}, gzip uses 8 (deflate)`);
    }
    if ((head[3] & GZIP_RESERVED_FLAGS) !== 0) {
        fail('not a valid gzip stream: reserved header flags are set');
    }
    const header = await inflateGzipPrefix(file, SPZ_HEADER_BYTES);
    if (header.length >= SPZ_MAGIC.length && !startsWith(header, SPZ_MAGIC)) {
        fail(`gzip data that is not SPZ: it inflates to ${quoteBytes(header.subarray(0, SPZ_HEADER_BYTES))}, not "NGSP..."`);
    }
    if (header.length < SPZ_HEADER_BYTES) {
        fail(`truncated: ${file.size} bytes, and the gzip data ends inside the 16-byte SPZ header`);
    }
    const version = header.readUInt32LE(4);
    if (version < 1 || version > 3) {
        fail(version === 4
            ? 'SPZ version 4 inside gzip: v4 files are not gzip-compressed'
            : `unsupported SPZ version ${version}`);
    }
    const gaussians = header.readUInt32LE(8);
    const shDegree = header[12];
    checkShDegree(shDegree);
    const flags = header[14];
    // The gzip trailer's ISIZE is the uncompressed length mod 2^32: a cut or extended file ends in
    // other bytes, which no longer match what the SPZ header implies.
    const perSplat = spzAttributeBytes(version, shDegree).reduce((sum, bytes) => sum + bytes, 0);
    const expected = SPZ_HEADER_BYTES + gaussians * perSplat;
    const isize = (await file.read(file.size - 4, 4)).readUInt32LE(0);
    const mismatch = (means) => fail(`truncated or with bytes appended: the SPZ v${version} header (${gaussians} splats, SH degree ${shDegree}) ` +
        `means ${means}, but the gzip length field at the end of the file reads ${isize}`);
    // Extensions follow the attributes, so with them the header gives only a lower bound.
    if ((flags & SPZ_FLAG_EXTENSIONS) === 0) {
        if (isize !== expected % 2 ** 32)
            mismatch(`${expected} bytes uncompressed`);
    }
    else if (expected < 2 ** 32 && isize < expected) {
        mismatch(`at least ${expected} bytes uncompressed`);
    }
    return { format: 'spz', gaussians, version: `spz-v${version}`, shDegree };
}
/** Inflates the start of the gzip stream, reading more compressed bytes only while too little comes out. */
async function inflateGzipPrefix(file, wanted) {
    let output = Buffer.alloc(0);
    for (const step of GZIP_PREFIX_STEPS) {
        const input = await file.read(0, step);
        output = inflatePrefix(input, 'gzip');
        if (output.length >= wanted || input.length === file.size)
            break;
    }
    return output;
}

;// CONCATENATED MODULE: ./src/assets/verify/spz-v4.ts





const SPZ_V4_HEADER_BYTES = 32;
const TOC_ENTRY_BYTES = 16;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/**
 * Checks an SPZ v4 file: its header, a table of contents whose uncompressed sizes match the splat
 * count, streams that fill the file exactly, and a Zstandard frame at the start of each stream.
 */
async function verifySpzV4(file) {
    if (file.size < SPZ_V4_HEADER_BYTES) {
        fail(`truncated: ${file.size} bytes, the SPZ v4 header alone needs 32`);
    }
    const header = await file.read(0, SPZ_V4_HEADER_BYTES);
    const version = header.readUInt32LE(4);
    if (version >= 1 && version <= 3) {
        fail(`an uncompressed SPZ v${version} stream: SPZ v1-v3 files are gzip-compressed`);
    }
    if (version !== 4)
        fail(`unsupported SPZ version ${version}`);
    const gaussians = header.readUInt32LE(8);
    const shDegree = header[12];
    checkShDegree(shDegree);
    const streamCount = header[15];
    const tocOffset = header.readUInt32LE(16);
    const streamBytes = spzAttributeBytes(version, shDegree).slice(0, shDegree === 0 ? 5 : 6);
    if (streamCount !== streamBytes.length) {
        fail(`the SPZ v4 header gives ${plural(streamCount, 'stream')}; SH degree ${shDegree} needs ${streamBytes.length}`);
    }
    if (tocOffset < SPZ_V4_HEADER_BYTES) {
        fail(`the SPZ v4 table of contents offset ${tocOffset} points inside the 32-byte header`);
    }
    const tocEnd = tocOffset + TOC_ENTRY_BYTES * streamCount;
    if (file.size < tocEnd) {
        fail(`truncated: ${file.size} bytes, the SPZ v4 header and table of contents alone need ${tocEnd}`);
    }
    const toc = await file.read(tocOffset, TOC_ENTRY_BYTES * streamCount);
    const streams = readStreams(toc, tocEnd, gaussians, streamBytes);
    const end = streams.reduce((at, stream) => at + stream.compressed, tocEnd);
    if (!Number.isSafeInteger(end))
        fail('impossible stream sizes in the SPZ v4 table of contents');
    checkExactSize(file.size, end, 'the SPZ v4 header and table of contents', false);
    for (const stream of streams) {
        const magic = await file.read(stream.offset, ZSTD_MAGIC.length);
        if (!startsWith(magic, ZSTD_MAGIC)) {
            fail(`SPZ v4 ${stream.name} at byte ${stream.offset} is not a Zstandard frame (starts with ${quoteBytes(magic)})`);
        }
    }
    return { format: 'spz', gaussians, version: 'spz-v4', shDegree };
}
/** The streams the table of contents lists, laid end to end from `start`. */
function readStreams(toc, start, gaussians, streamBytes) {
    const streams = [];
    let offset = start;
    for (const [i, bytesPerSplat] of streamBytes.entries()) {
        const name = `stream ${i + 1} (${SPZ_ATTRIBUTES[i]})`;
        const compressed = readSize(toc, i * TOC_ENTRY_BYTES, `${name}'s compressed size`);
        const uncompressed = toc.readBigUInt64LE(i * TOC_ENTRY_BYTES + 8);
        const wanted = gaussians * bytesPerSplat;
        if (uncompressed !== BigInt(wanted)) {
            fail(`the SPZ v4 table of contents gives ${name} ${uncompressed} bytes uncompressed; ${gaussians} splats need ${wanted}`);
        }
        streams.push({ name, offset, compressed });
        offset += compressed;
    }
    return streams;
}
/** A u64 size; one past 2^53 bytes is corruption, not a real size. */
function readSize(buffer, offset, what) {
    const value = buffer.readBigUInt64LE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
        fail(`impossible ${what}: ${value} bytes`);
    return Number(value);
}

;// CONCATENATED MODULE: ./src/assets/verify.ts









/**
 * Checks a downloaded Gaussian-splat file by its content (see FORMATS.md): the bytes must be the
 * format the file is named for, its headers and directories must be consistent, and its size must
 * be exactly what they describe. Only headers, tables and a few bytes of each image are read, so
 * a multi-gigabyte file costs a few small reads.
 */

/** Checks a file on disk by content, reading headers and directories only (never the whole file into memory). */
async function verifyAsset(filePath, expected) {
    let file;
    try {
        file = await (0,promises_.open)(filePath, 'r');
    }
    catch (error) {
        throw new AssetVerificationError(`cannot open the file: ${(0,errors/* errorMessage */.gJ)(error)}`);
    }
    try {
        const stat = await file.stat();
        if (!stat.isFile())
            fail('not a regular file');
        return await verifyContent(new FileRanges(file, stat.size), expected);
    }
    catch (error) {
        if (error instanceof AssetVerificationError)
            throw error;
        throw new AssetVerificationError(`cannot read the file: ${(0,errors/* errorMessage */.gJ)(error)}`);
    }
    finally {
        await file.close();
    }
}
async function verifyContent(file, expected) {
    const head = await file.read(0, SNIFF_BYTES);
    expectFormat(head, file.size, expected);
    if (expected === 'ply')
        return verifyPly(file);
    if (expected === 'sog')
        return verifySog(file);
    return head[0] === 0x1f ? verifyGzipSpz(file, head) : verifySpzV4(file);
}

;// CONCATENATED MODULE: ./src/assets/deliver.ts






const DOWNLOAD_CONCURRENCY = 4;
const URL_KEYS = { ply: 'plyPath', spz: 'spzPath', sog: 'sogPath' };
/** The chosen formats of every succeeded task; a format a task lacks is only worth a notice. */
function planDownloads(tasks, formats) {
    const jobs = [];
    const missing = [];
    for (const task of tasks) {
        if (task.state !== 'succeeded')
            continue;
        for (const format of formats) {
            const url = task.result?.[URL_KEYS[format]];
            if (url)
                jobs.push({ taskId: task.taskId, format, url });
            else
                missing.push(`${task.taskId} has no ${format.toUpperCase()} file`);
        }
    }
    return { jobs, missing };
}
/**
 * Downloads, verifies and (when asked) uploads the assets of the succeeded tasks. Every file is
 * tried, so one run names every broken file; nothing failed is uploaded.
 */
async function deliverAssets(config, tasks, deps) {
    const { log } = deps;
    const { jobs, missing } = planDownloads(tasks, config.download);
    if (missing.length > 0)
        log.notice(`Not downloaded, since the service gave no URL: ${missing.join('; ')}.`);
    const files = new Map();
    if (jobs.length === 0)
        return { files };
    log.startGroup(`Downloading ${jobs.length} file${jobs.length === 1 ? '' : 's'} to ${config.downloadDir}`);
    const failures = [];
    try {
        const downloaded = await runBounded(jobs, DOWNLOAD_CONCURRENCY, job => fetchAsset(job, config.downloadDir, deps).catch((error) => {
            if (deps.signal?.aborted)
                throw error;
            failures.push(describeFailure(job, error));
            return undefined;
        }), deps.signal);
        for (const file of downloaded) {
            if (!file)
                continue;
            files.set(file.taskId, [...(files.get(file.taskId) ?? []), file.asset]);
        }
    }
    catch (error) {
        if (!deps.signal?.aborted)
            throw error;
        failures.push('Downloads were cancelled.');
    }
    finally {
        log.endGroup();
    }
    const delivery = { files, downloadDir: files.size > 0 ? config.downloadDir : undefined };
    if (failures.length > 0) {
        const skipped = config.uploadArtifact ? ' No artifact was uploaded.' : '';
        delivery.error = `${failures.length} of ${jobs.length} download${jobs.length === 1 ? '' : 's'} failed: ${failures.join(' ')}${skipped}`;
        return delivery;
    }
    if (config.uploadArtifact) {
        const paths = [...files.values()].flat().map(file => file.path);
        log.startGroup(`Uploading ${paths.length} file${paths.length === 1 ? '' : 's'} as the artifact ${config.artifactName}`);
        try {
            const artifact = await uploadArtifact({
                name: config.artifactName,
                rootDirectory: config.downloadDir,
                files: paths,
                retentionDays: config.retentionDays
            }, deps.env);
            delivery.artifact = { id: artifact.id, url: artifact.url, digest: artifact.digest };
            log.info(`Artifact ${config.artifactName}: id ${artifact.id}, ${artifact.size} bytes, ${artifact.url}`);
        }
        catch (error) {
            delivery.error = `Could not upload the artifact: ${(0,errors/* errorMessage */.gJ)(error)}`;
        }
        finally {
            log.endGroup();
        }
    }
    return delivery;
}
async function fetchAsset(job, downloadDir, deps) {
    const destination = external_node_path_.join(downloadDir, job.taskId, assetFileName(job.url, job.format));
    let info;
    const result = await downloadFile({ url: job.url, destination, label: `${job.taskId} ${job.format.toUpperCase()}` }, {
        signal: deps.signal,
        verify: async (tempPath) => {
            info = await verifyAsset(tempPath, job.format);
        }
    }, { now: deps.now, sleep: deps.sleep, random: deps.random, log: deps.log });
    if (!info)
        throw new Error(`${job.taskId} ${job.format}: the file was not verified`);
    deps.log.info(`${job.taskId} ${job.format.toUpperCase()}: ${info.version}, ${info.gaussians.toLocaleString('en-US')} splats, SH degree ${info.shDegree}, sha256 ${result.sha256}`);
    return {
        taskId: job.taskId,
        asset: {
            format: job.format,
            path: result.destination,
            bytes: result.bytes,
            sha256: result.sha256,
            gaussians: info.gaussians,
            version: info.version,
            shDegree: info.shDegree
        }
    };
}
function describeFailure(job, error) {
    const format = job.format.toUpperCase();
    if (error instanceof DownloadError)
        return `Task ${job.taskId}, ${format} from ${error.url}: ${error.reason}.`;
    return `Task ${job.taskId}, ${format}: ${(0,errors/* errorMessage */.gJ)(error)}.`;
}


/***/ })

};

//# sourceMappingURL=866.index.js.map