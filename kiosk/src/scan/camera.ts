/** The rear camera, or why there is none. */
export async function openCamera(): Promise<MediaStream | 'no-camera' | 'denied'> {
  // mediaDevices is missing outside a secure context: a hub reached over plain http on the LAN.
  if (!navigator.mediaDevices?.getUserMedia) return 'no-camera';
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    return name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'no-camera';
  }
}

export function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
