// The benchmark's only activity: trivially cheap, so the measurement is dominated by server round trips.
export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}
