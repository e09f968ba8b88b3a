// fold-to-ascii ships no types; this is the class its README documents (static methods, called on the class).
declare module "fold-to-ascii" {
  const ASCIIFolder: {
    /** Folds what Lucene's ASCIIFoldingFilter folds; other characters are kept. */
    foldMaintaining(text: string): string;
    foldReplacing(text: string, replacement?: string): string;
  };
  export default ASCIIFolder;
}
