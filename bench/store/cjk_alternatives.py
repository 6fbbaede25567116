# One- and two-character Korean terms (issue 29, docs/architecture.md "Decisions"): the bigram
# index (message_search_bench gives its p50/p99) against a bounded scan (LIKE over the index's
# docs, newest first, until 20 hits), and the size a trigram index of the same texts would take.
# Run on the search.sqlite message_search_bench leaves: python3 cjk_alternatives.py DIR/search.sqlite
import sqlite3, random, sys, time, statistics, os, shutil
path=sys.argv[1]
hangul=list("회의시작합니다오늘내일점심메뉴개발서버데이터베스검토예산고객보주말휴가사무실업문제해결팀장계획반갑습안녕하세요감사확인")
db=sqlite3.connect(path)
rng=random.Random(7)
def pct(v,p):
    v=sorted(v); return v[min(len(v)-1,int(p*len(v)))]
def scan(term, room=None):
    q="SELECT id FROM docs WHERE body LIKE ? " + ("AND room=? " if room else "") + "ORDER BY id DESC LIMIT 20"
    args=['%'+term+'%'] + ([room] if room else [])
    t=time.perf_counter(); n=len(db.execute(q,args).fetchall()); return (time.perf_counter()-t)*1000, n
for label, gen in [('korean1', lambda: rng.choice(hangul)), ('korean2', lambda: rng.choice(hangul)+rng.choice(hangul)),
                   ('absent2', lambda: '뷁'+rng.choice(hangul))]:
    ms=[scan(gen())[0] for _ in range(60 if label!='absent2' else 5)]
    print(label, 'LIKE scan p50 %.1f ms p99 %.1f ms'%(pct(ms,.5),pct(ms,.99)))
# trigram index size over the same texts
tri=path+'.trigram'
if os.path.exists(tri): os.remove(tri)
t=sqlite3.connect(tri, isolation_level=None)
t.execute("CREATE VIRTUAL TABLE tg USING fts5(body, content='', tokenize='trigram')")
t.execute("ATTACH ? AS s",(path,))
t.execute("BEGIN")
t.execute("INSERT INTO tg(rowid, body) SELECT id, body FROM s.docs")
t.execute("COMMIT")
t.execute("INSERT INTO tg(tg) VALUES('optimize')")
t.execute("DETACH s")
t.execute("VACUUM")
print('trigram index MiB %.1f'%(os.path.getsize(tri)/2**20))
print('docs MiB %.1f, fts (bigram) MiB %.1f'%tuple(db.execute("select sum(pgsize)/1048576.0 from dbstat where name=?",(n,)).fetchone()[0] for n in ('docs','docs_fts_data')))
os.remove(tri)
