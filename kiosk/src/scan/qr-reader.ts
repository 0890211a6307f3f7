import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** Reads QR codes from a camera frame; which engine runs underneath is the browser's business. */
export interface QrReader {
  /** `native` is the browser's BarcodeDetector; `zxing` the bundled WebAssembly ponyfill. */
  readonly engine: 'native' | 'zxing';
  /** The text of every QR code in the frame, none if there is none. */
  detect(source: ImageBitmapSource): Promise<string[]>;
}

/** The slice of the Barcode Detection API used here; TypeScript's DOM library does not declare it. */
interface Detector {
  detect(source: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}
interface DetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

let loading: Promise<QrReader> | undefined;

/**
 * The browser's own BarcodeDetector where it reads QR codes (Android, ChromeOS,
 * macOS), else barcode-detector's zxing-wasm ponyfill. The ponyfill is loaded
 * on first use so the kiosk's main bundle stays small, and its .wasm comes
 * from our own bundle, precached by the service worker: by default zxing-wasm
 * fetches it from a CDN, which an offline kiosk cannot reach (STYLE.md "Kiosk").
 * One reader is shared; a failed load is retried on the next call.
 */
export function createQrReader(): Promise<QrReader> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(): Promise<QrReader> {
  const native = await nativeDetector();
  if (native) return wrap('native', native);
  // barcode-detector inlines its own copy of zxing-wasm: configure that copy, not `zxing-wasm/reader`.
  const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill');
  await prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
    // Compile now, so a decoder that cannot load shows up before the first frame.
    fireImmediately: true,
  });
  return wrap('zxing', new BarcodeDetector({ formats: ['qr_code'] }));
}

async function nativeDetector(): Promise<Detector | undefined> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!Native) return undefined;
  try {
    if (!(await Native.getSupportedFormats()).includes('qr_code')) return undefined;
    return new Native({ formats: ['qr_code'] });
  } catch {
    return undefined;
  }
}

function wrap(engine: QrReader['engine'], detector: Detector): QrReader {
  return {
    engine,
    async detect(source) {
      return (await detector.detect(source)).map((code) => code.rawValue);
    },
  };
}
