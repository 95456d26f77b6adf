"""Ingesting documents, pure logic: new articles, mentions of known entities, candidates.

No Neo4j here (`graph/mentions.py` holds the Cypher; `services/pipeline.py` runs the
steps). Everything works on the cleaned text, headline first, exactly as stored, so every
offset indexes into `Document.text`: `text[start:end]` is the mention as written.

One module per step:

* `documents.py`: an article capture or posted text as a `Document`;
* `text.py`: folding, tokens, sentences, proper-name runs and titles;
* `linking.py`: mentions of known entities (`find_mentions`);
* `candidates.py`: what is left, for the analyst (`analyse` runs both);
* `review.py`: the review file.

Person names (titles, particles) come from `loaders/names.py`, shared with the
historian's datasets.
"""
