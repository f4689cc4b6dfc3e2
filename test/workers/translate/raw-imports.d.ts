// Vite's `?raw` imports (the fixtures are loaded as text).
declare module "*?raw" {
  const text: string;
  export default text;
}
