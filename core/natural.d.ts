declare module 'natural/lib/natural/stemmers/*.js' {
  const stemmer: { stem(token: string): string };
  export default stemmer;
}
